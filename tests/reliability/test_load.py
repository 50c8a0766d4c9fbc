"""The load script's CI form, and what stands in for it on SQLite.

On PostgreSQL: bench/load.py --short runs two gunicorn instances (2 workers each) sharing
the database server and Redis, sends 200 voters and 50 commenters at once, and checks the
stored ballots, totals and comments exactly. It uses a database of its own, named after
the test database's (<name>_load), created and dropped by the script.

On SQLite there is no database server for several gunicorn processes to share, so the
script does not run (the one skip, with its reason); the test below, on both databases,
sends concurrent voters and commenters through a real HTTP server (Django's threaded live
server, with a listen backlog larger than the number of clients) and checks the same exact
counts.
"""

import os
import re
import threading
import time
import urllib.parse
from collections import Counter
from http.client import HTTPConnection
from pathlib import Path

import pytest

from tests.processes import run_script

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))


def load_database_url() -> str:
    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/") or "socialpoll"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_load"))


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="bench/load.py needs PostgreSQL (several gunicorn processes share one database "
    "server); on SQLite test_concurrent_voters_and_commenters_through_a_live_server stands in",
)
def test_load_script_short_form_counts_everything_exactly():
    result = run_script(
        "bench/load.py", "--short", timeout=170, LOAD_DATABASE_URL=load_database_url()
    )
    output = result.stdout + result.stderr
    summary = [line for line in result.stdout.splitlines() if line.startswith("load:")]
    assert result.returncode == 0, output[-6000:]
    assert summary, output[-3000:]
    fields = dict(item.split("=", 1) for item in summary[-1].split()[2:])
    assert summary[-1].startswith("load: OK")
    assert fields["voters"] == fields["ballots_stored"] == fields["repeat_votes_refused"] == "200"
    assert fields["comments_sent"] == fields["comments_stored"] == "50"
    assert fields["5xx"] == "0"
    assert "rate limit 20: votes let through             20     20  ok" in result.stdout


# --- both databases ---------------------------------------------------------------------------

VOTERS = 40
COMMENTERS = 10
# Bounds that only catch a hang: a busy two-core machine must never reach them.
REQUEST_TIMEOUT = 60
RUN_TIMEOUT = 300
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SERVED = re.compile(r'name="served" value="([^"]+)"')


@pytest.fixture
def backlogged_live_server(transactional_db, settings):
    """Django's threaded live server, listening with a backlog for every client at once.

    Django's runserver/live server listens with a backlog of 10 (socketserver's is 5). 50
    browsers connecting at once overflow it whenever the accept loop is slow, as on a busy
    two-core machine, and the kernel then resets some connections: the test lost answers
    (48 of 50, two ConnectionResetError) without the server ever seeing those requests.
    Each client holds at most one connection at a time, so a backlog above the number of
    clients can never overflow.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class BackloggedServer(ThreadedWSGIServer):
        request_queue_size = 4 * (VOTERS + COMMENTERS)

    class BackloggedServerThread(LiveServerThread):
        server_class = BackloggedServer

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    thread = BackloggedServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield thread.port
    thread.terminate()


def _browser_post(port: int, path: str, form: dict, address: str) -> int:
    page = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    poll_path = path.rsplit("/", 2)[0] + "/"
    page.request("GET", poll_path, headers={"X-Forwarded-For": address})
    response = page.getresponse()
    html = response.read().decode()
    cookies = "; ".join(
        value.split(";", 1)[0] for name, value in response.getheaders() if name == "Set-Cookie"
    )
    page.close()
    form = {"csrfmiddlewaretoken": _CSRF.search(html).group(1), **form}
    if "body" in form:
        form["served"] = _SERVED.search(html).group(1)
    post = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    post.request(
        "POST",
        path,
        body=urllib.parse.urlencode(form),
        headers={
            "Cookie": cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": address,
        },
    )
    status = post.getresponse().status
    post.close()
    return status


def test_concurrent_voters_and_commenters_through_a_live_server(backlogged_live_server, settings):
    from comments.models import Comment
    from polls.models import Ballot
    from tests.factories import make_poll

    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.COMMENTS_RATE_LIMIT = 1000
    settings.POLLS_VOTE_RATE_LIMIT = 1000
    poll = make_poll()
    choice_ids = list(poll.choices.values_list("pk", flat=True))
    port = backlogged_live_server
    picks = [choice_ids[n % len(choice_ids)] for n in range(VOTERS)]
    # One outcome per person: the status of their POST, or the error that stopped them
    # (an error is an outcome too, so a lost answer shows up by name in the failure).
    outcomes: list[int | str] = []
    lock = threading.Lock()

    def person(path: str, form: dict, address: str) -> None:
        try:
            outcome: int | str = _browser_post(port, path, form, address)
        except Exception as error:
            outcome = f"{type(error).__name__}: {error}"
        with lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(
            target=person,
            args=(f"/polls/{poll.slug}/vote/", {"choice": picks[n]}, f"10.1.0.{n}"),
        )
        for n in range(VOTERS)
    ]
    threads += [
        threading.Thread(
            target=person,
            args=(
                f"/polls/{poll.slug}/comments/",
                {"name": f"C{n}", "email": f"c{n}@example.com", "body": f"Comment {n}"},
                f"10.2.0.{n}",
            ),
        )
        for n in range(COMMENTERS)
    ]
    deadline = time.monotonic() + RUN_TIMEOUT
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "the run did not finish"
    assert Counter(outcomes) == {302: VOTERS + COMMENTERS}
    from polls.results import count_results

    results = count_results(poll)
    assert Ballot.objects.filter(poll=poll).count() == results.total == VOTERS
    assert results.counts() == dict(Counter(picks))
    assert sorted(Comment.objects.filter(poll=poll).values_list("body", flat=True)) == sorted(
        f"Comment {n}" for n in range(COMMENTERS)
    )
