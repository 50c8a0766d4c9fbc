"""runserver on PostgreSQL gives each request's database connection back when it ends.

runserver serves every browser connection in a thread of its own, with no limit on threads,
and browsers keep their connections open between pages. Had each thread kept its database
connection for DJANGO_CONN_MAX_AGE, 100 browsers at once would hold 100 PostgreSQL
connections, all of PostgreSQL's default max_connections (issue 12.18).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

import pytest

from bench.benchlib import stop_group

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
BROWSERS = 10

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="counts server-side connections in pg_stat_activity; SQLite has no server",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def other_backends() -> int:
    """Connections to the test database other than this test's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_runserver_holds_no_database_connection_between_requests(tmp_path):
    from django.db import connection

    db = connection.settings_dict
    credentials = urllib.parse.quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(db["PASSWORD"])
    database_url = (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    env.update(DATABASE_URL=database_url, SOCIALPOLL_VAR_DIR=str(tmp_path))
    port = free_port()
    log = (tmp_path / "runserver.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    browsers: list[HTTPConnection] = []

    def answers() -> bool:
        if server.poll() is not None:
            raise AssertionError((tmp_path / "runserver.log").read_text())
        try:
            probe = HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/health/", headers={"Connection": "close"})
            ok = probe.getresponse().status == 200
            probe.close()
            return ok
        except OSError:
            return False

    try:
        assert wait_until(answers, 60), (tmp_path / "runserver.log").read_text()
        baseline = other_backends()  # runserver's own start-up connection, if it kept one
        for _ in range(BROWSERS):
            browser = HTTPConnection("127.0.0.1", port, timeout=30)
            browser.request("GET", "/")  # the home page reads the polls table
            response = browser.getresponse()
            response.read()
            assert response.status == 200
            assert not response.will_close, "the browser's connection must stay open"
            browsers.append(browser)
        # Every browser still holds its HTTP connection (and so its runserver thread); no
        # database connection may outlive the request that opened it.
        assert wait_until(lambda: other_backends() <= baseline, 20), (
            f"{other_backends() - baseline} database connections held by {BROWSERS} idle browsers"
        )
    finally:
        for browser in browsers:
            browser.close()
        stop_group(server)
        log.close()
