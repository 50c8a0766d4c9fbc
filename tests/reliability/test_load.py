"""The load script's CI form, and what stands in for it on SQLite.

On PostgreSQL: bench/load.py --short runs two gunicorn instances (2 workers each) sharing
the database server and Redis, sends 200 voters and 50 commenters at once, and checks the
stored ballots, totals and comments exactly. It uses a database of its own, named after
the test database's (<name>_load), created and dropped by the script.

On SQLite there is no database server for several gunicorn processes to share, so the
script does not run (the one skip, with its reason); the test below, on both databases,
sends concurrent voters and commenters through a real HTTP server (pytest-django's
live_server, threaded) and checks the same exact counts.
"""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from http.client import HTTPConnection
from pathlib import Path

import pytest

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
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["LOAD_DATABASE_URL"] = load_database_url()
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--short"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
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
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SERVED = re.compile(r'name="served" value="([^"]+)"')


def _browser_post(port: int, path: str, form: dict, address: str) -> int:
    page = HTTPConnection("127.0.0.1", port, timeout=30)
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
    post = HTTPConnection("127.0.0.1", port, timeout=30)
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


@pytest.mark.django_db(transaction=True)
def test_concurrent_voters_and_commenters_through_a_live_server(live_server, settings):
    from comments.models import Comment
    from polls.models import Ballot
    from tests.factories import make_poll

    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    settings.COMMENTS_RATE_LIMIT = 1000
    settings.POLLS_VOTE_RATE_LIMIT = 1000
    poll = make_poll()
    choice_ids = list(poll.choices.values_list("pk", flat=True))
    port = int(live_server.url.rsplit(":", 1)[1])
    picks = [choice_ids[n % len(choice_ids)] for n in range(VOTERS)]
    statuses: list[int] = []
    lock = threading.Lock()

    def vote(n: int) -> None:
        status = _browser_post(
            port, f"/polls/{poll.slug}/vote/", {"choice": picks[n]}, f"10.1.0.{n}"
        )
        with lock:
            statuses.append(status)

    def comment(n: int) -> None:
        form = {"name": f"C{n}", "email": f"c{n}@example.com", "body": f"Comment {n}"}
        status = _browser_post(port, f"/polls/{poll.slug}/comments/", form, f"10.2.0.{n}")
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(VOTERS)]
    threads += [threading.Thread(target=comment, args=(n,)) for n in range(COMMENTERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert time.monotonic() - started < 120, "the run did not finish"
    assert Counter(statuses) == {302: VOTERS + COMMENTERS}
    from polls.results import count_results

    results = count_results(poll)
    assert Ballot.objects.filter(poll=poll).count() == results.total == VOTERS
    assert results.counts() == dict(Counter(picks))
    assert sorted(Comment.objects.filter(poll=poll).values_list("body", flat=True)) == sorted(
        f"Comment {n}" for n in range(COMMENTERS)
    )
