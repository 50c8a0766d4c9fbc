"""Where a vote's time goes: one POST /polls/<slug>/vote/ taken apart.

    .venv/bin/python bench/vote_profile.py            # about a minute; PostgreSQL and Redis

bench/http.py measures a vote under gunicorn as a ratio of /health/. This script explains
that ratio: it runs the same requests in one process through Django's full handler (every
middleware, CSRF enforced, a distinct anonymous voter with a signed cookie per vote, Redis
as the shared cache, PostgreSQL, production settings), first timed (median wall time per
request of /health/, the vote, and the Django tutorial-style floor of "one UPDATE and a
redirect"), then under cProfile, and prints the share of the vote's time spent in each
part: database round trips, Redis round trips, the ORM building SQL, CSRF, sessions and
authentication, the voter cookie, and the rest of Django's request handling.

The profiler slows Python more than it slows waiting on sockets, so the shares under it
lean towards Python; the timed medians above the table are without the profiler.
Database: postgres://postgres@127.0.0.1:5432/h_bench_vote (dropped at the end); Redis:
redis://127.0.0.1:6379/13 under a key prefix of its own.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))
sys.path.append(str(BENCH))

import benchlib  # noqa: E402

# (label, how to recognise the functions whose cumulative time it is), in the order printed.
PARTS = [
    ("PostgreSQL round trips", ("psycopg2.extensions.cursor", "execute")),
    ("Redis round trips", ("redis/connection.py", "send_packed_command", "read_response")),
    ("ORM: building SQL", ("django/db/models/sql/compiler.py", "as_sql")),
    ("CSRF check", ("django/middleware/csrf.py", "process_view")),
    ("sessions and auth", ("django/contrib/auth/middleware.py", "process_request")),
    ("voter cookie (signing)", ("django/core/signing.py", "unsign")),
    ("rate limit (incl. Redis)", ("core/ratelimit.py", "ratelimit_hit")),
    ("vote rule (incl. SQL)", ("polls/voting.py", "ballot_cast")),
]


def setup(pg_url: str, redis_url: str) -> None:
    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DATABASE_URL=pg_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=f"vote-profile-{secrets.token_hex(4)}",
        POLLS_VOTE_RATE_LIMIT=str(10**9),
        DJANGO_SETTINGS_MODULE="socialpoll.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_poll():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from polls.models import Choice, Poll

    author = get_user_model().objects.create(username="trainer", password="!")
    poll = Poll.objects.create(
        question="Which definition fits best?",
        slug="vote-poll",
        author=author,
        status=Poll.Status.PUBLISHED,
        published_at=timezone.now(),
        results_visibility=Poll.ResultsVisibility.ALWAYS,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, text=f"Definition {i}", position=i) for i in range(4)
    )
    return poll


def voters(count: int):
    """(client, body) per voter: a fresh signed voter cookie and a CSRF secret, as http.py."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.test import Client

    from polls.voters import Voter, remember_voter

    result = []
    for _ in range(count):
        client = Client(enforce_csrf_checks=True)
        response = remember_voter(
            HttpResponse(), Voter(key="", anonymous_id=secrets.token_urlsafe(24), is_new=True)
        )
        client.cookies[settings.POLLS_VOTER_COOKIE] = response.cookies[
            settings.POLLS_VOTER_COOKIE
        ].value
        csrf = secrets.token_hex(16)
        client.cookies[settings.CSRF_COOKIE_NAME] = csrf
        result.append((client, csrf))
    return result


def timed(call, count: int) -> float:
    times = []
    for index in range(count):
        start = time.perf_counter()
        call(index)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def share(stats: pstats.Stats, marks: tuple[str, ...]) -> float:
    where, *names = marks
    total = 0.0
    for (filename, _line, function), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
        if where in filename and function in names:
            total += ct
        elif filename == "~" and where in function and any(n in function for n in names):
            total += tt  # a C method: its own time is its whole time
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/h_bench_vote")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--votes", type=int, default=600)
    args = parser.parse_args()
    if not benchlib.pg_available(args.pg_url):
        raise SystemExit(f"PostgreSQL is not reachable at {args.pg_url}")
    benchlib.pg_recreate(args.pg_url)
    try:
        setup(args.pg_url, args.redis_url)
        run(args.votes)
    finally:
        from django.db import connections

        connections.close_all()
        benchlib.pg_drop(args.pg_url)


def run(count: int) -> None:
    from django.test import Client

    from polls.models import Ballot

    poll = make_poll()
    choice = poll.choices.first().pk
    url = f"/polls/{poll.slug}/vote/"
    health = Client()
    people = voters(count * 2)

    def vote(index: int) -> None:
        client, csrf = people[index]
        response = client.post(url, {"choice": choice, "csrfmiddlewaretoken": csrf})
        assert response.status_code == 302, response.status_code

    def floor(_index: int) -> None:
        # The tutorial's vote in this stack: one UPDATE ... SET votes = votes + 1, a redirect.
        from django.db.models import F

        from polls.models import Choice

        Choice.objects.filter(pk=choice).update(position=F("position") + 0)

    for _ in range(20):  # warm up connections, templates, the rate-limit script
        health.get("/health/")
    health_ms = timed(lambda _i: health.get("/health/"), count)
    vote_ms = timed(vote, count)
    update_ms = timed(floor, count)

    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(count, 2 * count):
        vote(index)
    profiler.disable()
    stats = pstats.Stats(profiler)
    whole = share(stats, ("django/test/client.py", "request")) or 1.0
    assert Ballot.objects.filter(poll=poll).count() == 2 * count

    print(f"votes: {2 * count} stored, {count} timed, {count} profiled")
    print(
        f"median wall time: /health/ {health_ms:.2f} ms, vote {vote_ms:.2f} ms "
        f"(ratio {health_ms / vote_ms:.2f}), one UPDATE alone {update_ms:.2f} ms"
    )
    print()
    print(f"{'part of a vote (profiled)':<28} {'share':>6}")
    for label, marks in PARTS:
        print(f"{label:<28} {share(stats, marks) / whole:>6.0%}")
    print(f"{'(whole request)':<28} {1:>6.0%}")
    print(
        f"vote_profile: health_ms={health_ms:.2f} vote_ms={vote_ms:.2f} update_ms={update_ms:.2f}"
    )


if __name__ == "__main__":
    main()
