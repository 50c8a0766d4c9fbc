"""Python run in a process of its own, as an operator starts the site or a script: with
the environment this test chooses rather than the one the test run inherited."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_script(
    *args: str, forget: tuple[str, ...] = ("DJANGO_",), timeout: float = 60, **env: str
) -> subprocess.CompletedProcess:
    """`python *args` from the project root. Variables whose names start with one of
    `forget` are left out of the inherited environment; `env` is added."""
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(forget)}
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_python(code: str, **options) -> subprocess.CompletedProcess:
    """`python -c code`, as run_script runs a script."""
    return run_script("-c", code, **options)


# A database the site cannot reach: a PostgreSQL server that is not there, a SQLite file in
# a folder that does not exist.
UNREACHABLE_DATABASES = pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:9/socialpoll",  # nothing listens on port 9
        "sqlite:////nonexistent-directory/socialpoll.sqlite3",
    ],
    ids=["postgres-server-down", "sqlite-file-unreachable"],
)
