"""`make run` wires its port into the site's own address (links in notification emails).

The Makefile runs with a stand-in virtualenv whose `python` records what it was asked to
do; for `runserver` it also loads socialpoll's settings in the environment make gave it,
so the test sees the link base the running site would use. No server is started.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STAND_IN = f"""#!{sys.executable}
import json, os, sys
entry = {{"argv": sys.argv[1:]}}
if "runserver" in sys.argv:
    sys.path.insert(0, os.getcwd())
    os.environ["DJANGO_SETTINGS_MODULE"] = "socialpoll.settings"
    from django.conf import settings
    entry["SITE_URL"] = settings.SITE_URL
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps(entry) + "\\n")
"""


def make_run(tmp_path: Path, *make_args: str, **env: str) -> list[dict]:
    if shutil.which("make") is None:
        pytest.fail("make is not installed (apt-get install make)", pytrace=False)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(STAND_IN)
    python.chmod(0o755)
    (venv / ".installed-run").touch()  # newer than pyproject.toml: make installs nothing
    log = tmp_path / "calls.jsonl"
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "MAKE", "MFLAGS")) and k not in {"SITE_URL", "PORT"}
    }
    result = subprocess.run(
        ["make", "--no-print-directory", "run", f"VENV={venv}", *make_args],
        cwd=ROOT,
        env={**clean, "STAND_IN_LOG": str(log), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in log.read_text().splitlines()]


def runserver_call(calls: list[dict]) -> dict:
    [call] = [c for c in calls if "runserver" in c["argv"]]
    return call


def test_email_links_follow_the_port_make_run_serves_on(tmp_path):
    call = runserver_call(make_run(tmp_path, "PORT=8101"))
    assert call["argv"] == ["manage.py", "runserver", "127.0.0.1:8101"]
    assert call["SITE_URL"] == "http://127.0.0.1:8101"


def test_port_from_the_environment_moves_the_links_too(tmp_path):
    call = runserver_call(make_run(tmp_path, PORT="8102"))
    assert call["argv"][-1] == "127.0.0.1:8102"
    assert call["SITE_URL"] == "http://127.0.0.1:8102"


def test_default_port_gives_links_to_port_8000(tmp_path):
    call = runserver_call(make_run(tmp_path))
    assert call["argv"][-1] == "127.0.0.1:8000"
    assert call["SITE_URL"] == "http://127.0.0.1:8000"


def test_site_url_set_in_the_environment_wins(tmp_path):
    call = runserver_call(make_run(tmp_path, PORT="8101", SITE_URL="https://polls.example.org/"))
    assert call["SITE_URL"] == "https://polls.example.org"
