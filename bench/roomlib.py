"""What bench/http.py and bench/load.py share for the workshop room: the live fragment as
phones poll it (wrk scripts sending If-None-Match), a room poll, and counting SQL queries
from PostgreSQL's own statistics (the server runs with DEBUG off, so it cannot count them).
"""

import time

from benchlib import pg_params

# wrk: every request carries the ETag the phone got, as a browser revalidating its copy.
LUA_LIVE = """
local etag = "%(etag)s"
headers = {["If-None-Match"] = etag, ["HX-Request"] = "true"}
request = function()
  return wrk.format("GET", nil, headers)
end
"""
# The same, paced like a phone: about one request every 3 s per connection, with jitter so
# 300 phones do not ask in lockstep; each on a new connection, as a phone's next refresh
# comes after gunicorn's keep-alive (2 s) has closed the last one.
LUA_LIVE_PACED = (
    LUA_LIVE
    + """
headers["Connection"] = "close"
math.randomseed(os.time())
delay = function()
  return %(interval_ms)d - 500 + math.random(0, 1000)
end
"""
)

ROOM_CHOICES = (
    "Learning with and from other people",
    "Social media used in a course",
    "Learning on the job",
    "Communities of practice",
    "Peer review and feedback",
    "Discussion forums",
    "Group projects",
    "Something else",
)


def seed_room_poll(author, *, slug: str = "room-poll"):
    """A published poll with eight choices whose results anyone may see."""
    from django.utils import timezone

    from polls.models import Choice, Poll

    poll = Poll.objects.create(
        question="How would you define social learning (in the room)?",
        slug=slug,
        intro="Vote on your phone; the results are on the screen.",
        author=author,
        status=Poll.Status.PUBLISHED,
        published_at=timezone.now(),
        results_visibility=Poll.ResultsVisibility.ALWAYS,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, text=text, position=i) for i, text in enumerate(ROOM_CHOICES)
    )
    return poll


def pg_statements(url: str) -> int:
    """Transactions committed in the database so far. Django runs in autocommit, so each
    query a request makes is one; read after the server has been idle a moment (PostgreSQL
    reports a backend's counts within a second)."""
    import psycopg2

    params = pg_params(url)
    name = params.pop("dbname")
    connection = psycopg2.connect(dbname="postgres", **params)  # not counted in `name`
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
                [name],
            )
            return int(cursor.fetchone()[0])
    finally:
        connection.close()


def pg_statements_settled(url: str, seconds: float = 1.5) -> int:
    time.sleep(seconds)  # idle backends flush their statistics within a second
    return pg_statements(url)
