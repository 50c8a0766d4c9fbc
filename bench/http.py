"""HTTP benchmark: socialpoll under gunicorn + PostgreSQL, driven by wrk over loopback.

    .venv/bin/python bench/http.py          # about 3 minutes; needs wrk, PostgreSQL, Redis

Starts gunicorn (the production config, socialpoll/gunicorn.conf.py: gthread workers of 4
threads; 2 workers here) with production settings (DJANGO_DEBUG=0, a generated
secret key; only TLS redirects and secure cookies are off, since this is plain HTTP on
127.0.0.1) on a fresh PostgreSQL database (default h_bench_http, dropped at the end) with
Redis as the shared cache, as in production (default redis://127.0.0.1:6379/12, under a key
prefix of its own that is deleted at the end), and
drives each endpoint with wrk after a short warm-up, in interleaved rounds (every endpoint
gets a few seconds in every round, so load from elsewhere on a shared machine hits them
all alike):

    health     /health/, the trivial view every other figure is divided by
    home       /, the list of published polls (a full page of 20)
    poll       a poll page with a 50-comment thread and 18 ballots, as an anonymous
               first-time reader gets it (wrk sends no cookies)
    poll+votes the same poll page read the same way while a second wrk process POSTs votes
               in that very poll (distinct voters, --voting-connections connections): every
               vote changes the page, so this is the page as read during a vote; the
               votes/s that went through meanwhile are printed under the table
    results    the results fragment /polls/<slug>/results/
    live       the same fragment as a phone in a workshop room asks for it every few
               seconds: htmx's request with the ETag it got (If-None-Match), of a room poll
               with eight choices that nobody votes in meanwhile (nothing changed: 304)
    vote       POST /polls/<slug>/vote/, each request a distinct pre-generated voter with
               its own signed voter cookie and CSRF token (Lua script)

and, as a peer, the Django tutorial's polls app (bench/tutorial_site/: its models, views
and templates, startproject's middleware, CSRF on), served by a second gunicorn with the
same command-line settings (worker count, bind, log level) from the same .venv, with DEBUG
off, on its own database on the same PostgreSQL server (the --pg-url name + "_tutorial"),
with the same persistent connections; its rows are divided by its own trivial view:

    tut-health its /health/ (a view returning "ok")
    tut-detail the tutorial's detail page of a question with four choices
    tut-vote   the tutorial's vote (selected_choice.votes = F("votes") + 1; save(); then a
               redirect), each POST with a CSRF cookie and the matching form token, as
               socialpoll's votes get

After the rounds, 300 simulated phones (wrk -c300, one request every 3 s per connection,
with jitter, If-None-Match as above) poll that fragment for --room-seconds, and the
PostgreSQL statistics (transactions committed in the bench database: Django runs in
autocommit, so one per query) give the queries per request; printed under the table.

Then it checks the counts, from the ballots only (the number of Ballot rows, never a
stored counter, which the app may or may not keep): every vote answered 2xx/3xx by wrk,
in the vote and poll+votes rounds, must be a stored ballot (wrk abandons the requests in
flight when its time is up; those may still be stored, so the difference must lie between
0 and connections x rounds); a second, exact round of concurrent votes from Python threads
must store exactly as many ballots as it got redirects; and `manage.py verify_vote_counts`
(run with the same environment as the server) must exit 0. Finally it reads the resident
memory of each gunicorn worker.

The last line is machine-readable: poll_ratio, vote_ratio, home_ratio, results_ratio and
poll_voting_ratio, live_ratio (over our /health/), live_queries (per request of
the 300 phones), tutorial_vote_ratio and tutorial_detail_ratio (over
the tutorial's), errors (every non-2xx/3xx answer and socket error of every row, the
tutorial's and the concurrent votes' included, plus refused exact-round votes) and
ballots_ok (all the count checks above).

Loopback only; every wrk run is bounded in time. Only the ratios mean anything.
"""

import sys
from pathlib import Path

# This file is called http.py: keep bench/ out of the way of the standard library's http.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.append(str(BENCH))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import benchlib  # noqa: E402
import roomlib  # noqa: E402

ROOT = BENCH.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/h_bench_http"
REDIS_URL = "redis://127.0.0.1:6379/12"
COMMENTS = 50
TUTORIAL_APP = "bench.tutorial_site.wsgi:application"
TUTORIAL_SETTINGS = "bench.tutorial_site.settings"
TUTORIAL_VOTERS = 2000  # the tutorial has no voter identity: its list is reused in turn

LUA_GET = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

LUA_VOTE = """
local voters = dofile("%(voters)s")
local nthreads = %(threads)d
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
init = function(args)
  -- Each run starts where the previous one stopped (the offset comes from bench/http.py).
  next_index = (tonumber(args[1]) or 0) + tid + 1
end
request = function()
  -- Wraps around only for the tutorial's list; bench/http.py stops before a socialpoll
  -- list is used up (a voter used twice would be a refused vote change).
  local v = voters[((next_index - 1) %% #voters) + 1]
  next_index = next_index + nthreads
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = v[1],
  }, v[2])
end
"""


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def redis_delete_prefix(url: str, prefix: str) -> None:
    """Remove this run's keys (and only those) from the shared Redis."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        client.delete(key)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(var_dir: str, pg_url: str, redis_url: str, redis_prefix: str) -> None:
    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DATABASE_URL=pg_url,
        SOCIALPOLL_VAR_DIR=var_dir,
        # Every request comes from 127.0.0.1: the per-address vote limit would answer 429
        # after 300 votes a minute, which is what it is for, but not what is measured here.
        POLLS_VOTE_RATE_LIMIT=str(10**9),
        DJANGO_SETTINGS_MODULE="socialpoll.settings",
    )
    # Production has one Redis for the cache (check --deploy warns without it): rate limits,
    # the page and thread versions and the stored pages are shared by both workers. A key
    # prefix of its own per run; its keys are deleted at the end.
    os.environ["REDIS_URL"] = redis_url
    os.environ["CACHE_KEY_PREFIX"] = redis_prefix
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_site():
    """Twenty polls for the home page, one with a 50-comment thread, one to vote in. No
    vote totals are written: the thread poll's 18 ballots are cast over HTTP once the
    server runs (seed_thread_votes)."""
    import seed
    import threadspec
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from polls.models import Choice, Poll

    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"member{i}", email=f"member{i}@example.com", password="!")
        for i in range(threadspec.USER_POOL)
    )
    author = User.objects.create(username="trainer", first_name="Morgan", password="!")
    thread_poll = seed.seed_socialpoll(COMMENTS, author=author, users=users, slug="thread-poll")
    now = timezone.now()
    vote_poll = Poll.objects.create(
        question="Which definition of social learning fits best?",
        slug="vote-poll",
        intro="Pick one.",
        author=author,
        status=Poll.Status.PUBLISHED,
        published_at=now,
        results_visibility=Poll.ResultsVisibility.ALWAYS,
    )
    Choice.objects.bulk_create(
        Choice(poll=vote_poll, text=f"Definition {i + 1}", position=i) for i in range(4)
    )
    for i in range(18):
        poll = Poll.objects.create(
            question=f"How would you define blended learning, take {i + 1}?",
            slug=f"other-{i}",
            intro="A *short* intro.",
            author=author,
            status=Poll.Status.PUBLISHED,
            published_at=now,
        )
        Choice.objects.bulk_create(
            Choice(poll=poll, text=f"Choice {j + 1}", position=j) for j in range(3)
        )
    return thread_poll, vote_poll


def csrf_pair(cookie_name: str) -> tuple[str, str]:
    """(cookie, form token): a CSRF secret used as both (Django accepts the unmasked
    32-character secret as the form token)."""
    csrf = secrets.token_hex(16)  # 32 characters from Django's CSRF alphabet
    return f"{cookie_name}={csrf}", csrf


def make_voters(count: int, choice_ids: list[int], rng_seed: int = 7) -> list[tuple[str, str]]:
    """(Cookie header, form body) for distinct anonymous voters: a signed voter id as the
    site would have set it, and a CSRF secret used as both cookie and form token."""
    import random

    from django.conf import settings
    from django.http import HttpResponse

    from polls.voters import Voter, remember_voter

    rng = random.Random(rng_seed)
    result = []
    for _ in range(count):
        # The cookie exactly as the site sets it for a new anonymous voter.
        response = remember_voter(
            HttpResponse(),
            Voter(key="", anonymous_id=secrets.token_urlsafe(24), is_new=True),
        )
        voter = response.cookies[settings.POLLS_VOTER_COOKIE].value
        csrf_cookie, csrf = csrf_pair(settings.CSRF_COOKIE_NAME)
        cookie = f"{csrf_cookie}; {settings.POLLS_VOTER_COOKIE}={voter}"
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": csrf, "choice": rng.choice(choice_ids)}
        )
        result.append((cookie, body))
    return result


def make_tutorial_voters(count: int, choice_ids: list[int], rng_seed: int = 7) -> list:
    """(Cookie header, form body) for the tutorial's vote: a CSRF cookie (the tutorial
    keeps Django's default name, csrftoken) and its token, a random choice (as for ours)."""
    import random

    rng = random.Random(rng_seed)
    result = []
    for _ in range(count):
        cookie, csrf = csrf_pair("csrftoken")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": csrf, "choice": rng.choice(choice_ids)}
        )
        result.append((cookie, body))
    return result


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_voters_lua(path: Path, voters: list[tuple[str, str]]) -> None:
    with path.open("w") as out:
        out.write("return {\n")
        for cookie, body in voters:
            out.write(f"{{{lua_string(cookie)},{lua_string(body)}}},\n")
        out.write("}\n")


def write_vote_script(
    tmp: Path, name: str, voters: list[tuple[str, str]], path: str, threads: int
) -> Path:
    """A wrk script POSTing to path, one voter of the list per request, for wrk -t<threads>."""
    voters_file = tmp / f"{name}-voters.lua"
    write_voters_lua(voters_file, voters)
    script = tmp / f"{name}.lua"
    script.write_text(
        LUA_VOTE % {"voters": voters_file, "threads": threads, "path": path} + LUA_GET
    )
    return script


def wrk_start(
    url: str, script: Path, *, seconds: int, threads: int, connections: int, args=()
) -> subprocess.Popen:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(script), url]
    if args:
        cmd += ["--", *map(str, args)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wrk_finish(process: subprocess.Popen, seconds: int) -> dict:
    stdout, stderr = process.communicate(timeout=seconds + 30)
    for line in stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            data["errors"] = sum(data[k] for k in ("connect", "read", "write", "timeout"))
            return data
    raise RuntimeError(f"wrk gave no summary:\n{stdout}\n{stderr}")


def wrk(url: str, script: Path, *, seconds: int, threads: int, connections: int, args=()) -> dict:
    process = wrk_start(
        url, script, seconds=seconds, threads=threads, connections=connections, args=args
    )
    return wrk_finish(process, seconds)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_form(url: str, body: str, cookie: str) -> int:
    """POST a form, redirects not followed; the status."""
    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def exact_vote_round(base: str, path: str, voters: list[tuple[str, str]], workers: int) -> dict:
    """Concurrent votes from Python threads, every response read: (redirects, others)."""

    def post(voter: tuple[str, str]) -> int:
        cookie, body = voter
        return post_form(base + path, body, cookie)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(post, voters))
    accepted = sum(1 for s in statuses if 200 <= s < 400)
    return {"sent": len(statuses), "accepted": accepted, "other": len(statuses) - accepted}


def seed_thread_votes(base: str, poll) -> int:
    """The thread poll's 18 ballots (seed.SEED_VOTES), through the running site's vote
    view, each from a new anonymous voter (no voter cookie) with a CSRF cookie and token."""
    import seed
    from django.conf import settings

    def post(path: str, data: dict) -> int:
        cookie, csrf = csrf_pair(settings.CSRF_COOKIE_NAME)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf})
        return post_form(base + path, body, cookie)

    return seed.cast_seed_votes(poll, post)


GUNICORN_CONFIG = ROOT / "socialpoll" / "gunicorn.conf.py"


def start_gunicorn(app: str, port: int, workers: int, env: dict, log: Path) -> subprocess.Popen:
    """gunicorn as socialpoll runs in production (the README's command, its config file:
    gthread workers), the same for both sites but the app and the number of workers."""
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                str(GUNICORN_CONFIG),
                app,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_until_up(base: str, log: Path) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(base + "/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer {base}/health/; see {log}")


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def tutorial_env(pg_url: str) -> dict:
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE=TUTORIAL_SETTINGS,
        TUTORIAL_DATABASE_URL=pg_url,
        TUTORIAL_SECRET_KEY=secrets.token_urlsafe(50),
    )
    return env


def tutorial_votes_stored(pg_url: str) -> int:
    """The tutorial's votes, summed over its choices (its only record of them)."""
    import psycopg2

    with psycopg2.connect(**benchlib.pg_params(pg_url)) as pg, pg.cursor() as cursor:
        cursor.execute("SELECT COALESCE(SUM(votes), 0) FROM tutorial_site_choice")
        total = cursor.fetchone()[0]
    pg.close()
    return int(total)


def verify_vote_counts() -> tuple[int, str]:
    """`manage.py verify_vote_counts` in the server's environment: (exit status, output)."""
    out = subprocess.run(
        [sys.executable, "manage.py", "verify_vote_counts"],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = (out.stdout + out.stderr).strip()
    return out.returncode, text


# Rows, in the order printed; each is divided by its site's trivial view.
OURS = ["health", "home", "poll", "poll+votes", "results", "live", "vote"]
TUTORIAL = ["tut-health", "tut-detail", "tut-vote"]
BASELINE = {**dict.fromkeys(OURS, "health"), **dict.fromkeys(TUTORIAL, "tut-health")}


def live_etag(url: str) -> str:
    """The ETag a phone's first request for the live fragment gets."""
    request = urllib.request.Request(url, headers={"HX-Request": "true"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, url
        return response.headers["ETag"].replace('"', '\\"')


def room_phones(args, url: str, script: Path) -> dict:
    """Phones polling the live fragment every 3 s; the SQL queries they cost, counted by
    PostgreSQL (statistics settle while the server is idle, before and after)."""
    before = roomlib.pg_statements_settled(args.pg_url, 11)
    threads = min(2, args.phones)
    result = wrk(url, script, seconds=args.room_seconds, threads=threads, connections=args.phones)
    queries = roomlib.pg_statements_settled(args.pg_url, 11) - before
    result["queries"] = queries
    result["queries_per_request"] = queries / max(result["requests"], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--tutorial-pg-url",
        help="the tutorial peer's database (default: the --pg-url name + '_tutorial')",
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per endpoint and round")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument(
        "--voting-connections",
        type=int,
        default=2,
        help="connections of the wrk that votes during the poll+votes round",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both sites)")
    parser.add_argument("--redis-url", default=REDIS_URL, help="the shared cache")
    parser.add_argument("--voters", type=int, default=20000, help="per voting round kind")
    parser.add_argument("--exact-votes", type=int, default=1000)
    parser.add_argument("--phones", type=int, default=300, help="phones polling the fragment")
    parser.add_argument("--room-seconds", type=int, default=12, help="how long they poll")
    args = parser.parse_args()
    tutorial_pg_url = args.tutorial_pg_url or args.pg_url.rstrip("/") + "_tutorial"

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    if not benchlib.pg_available(args.pg_url):
        raise SystemExit(f"PostgreSQL is not reachable at {args.pg_url}")
    redis_prefix = f"socialpoll-http-bench-{secrets.token_hex(4)}"
    if not redis_available(args.redis_url):
        raise SystemExit(f"Redis is not reachable at {args.redis_url}")
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="socialpoll-http-bench-"))
    benchlib.pg_recreate(args.pg_url)
    benchlib.pg_recreate(tutorial_pg_url)
    setup_django(str(tmp), args.pg_url, args.redis_url, redis_prefix)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    thread_poll, vote_poll = seed_site()
    room_poll = roomlib.seed_room_poll(thread_poll.author)
    tutorial_setup = subprocess.run(
        [sys.executable, "-m", "bench.tutorial_site.setup"],
        cwd=ROOT,
        env=tutorial_env(tutorial_pg_url),
        capture_output=True,
        text=True,
        check=True,
    )
    tutorial = json.loads(tutorial_setup.stdout.strip().splitlines()[-1])

    vote_choices = list(vote_poll.choices.values_list("pk", flat=True))
    thread_choices = list(thread_poll.choices.values_list("pk", flat=True))
    voters = make_voters(args.voters + args.exact_votes, vote_choices)
    wrk_voters, exact_voters = voters[: args.voters], voters[args.voters :]
    reading_voters = make_voters(args.voters, thread_choices, rng_seed=8)
    tutorial_voters = make_tutorial_voters(TUTORIAL_VOTERS, tutorial["choices"])
    (tmp / "get.lua").write_text(LUA_GET)
    vote_path = f"/polls/{vote_poll.slug}/vote/"
    # Per voting kind: the voters, the path, wrk's threads and connections.
    voting_threads = min(args.threads, args.voting_connections)
    vote_kinds = {
        "vote": (wrk_voters, vote_path, args.threads, args.connections),
        "poll+votes": (
            reading_voters,
            f"/polls/{thread_poll.slug}/vote/",
            voting_threads,
            args.voting_connections,
        ),
        "tut-vote": (
            tutorial_voters,
            f"/polls/{tutorial['question']}/vote/",
            args.threads,
            args.connections,
        ),
    }
    scripts = {
        name: write_vote_script(tmp, name, voter_list, path, threads)
        for name, (voter_list, path, threads, _) in vote_kinds.items()
    }
    connection.close()

    port, tutorial_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    tutorial_base = f"http://127.0.0.1:{tutorial_port}"
    gunicorn = tutorial_gunicorn = None
    try:
        gunicorn = start_gunicorn(
            "socialpoll.wsgi:application",
            port,
            args.workers,
            os.environ.copy(),
            tmp / "gunicorn.log",
        )
        tutorial_gunicorn = start_gunicorn(
            TUTORIAL_APP,
            tutorial_port,
            args.workers,
            tutorial_env(tutorial_pg_url),
            tmp / "tutorial-gunicorn.log",
        )
        wait_until_up(base, tmp / "gunicorn.log")
        wait_until_up(tutorial_base, tmp / "tutorial-gunicorn.log")
        seeded_ballots = seed_thread_votes(base, thread_poll)
        poll_url = base + thread_poll.get_absolute_url()
        pages = {
            "health": base + "/health/",
            "home": base + "/",
            "poll": poll_url,
            "results": f"{base}/polls/{thread_poll.slug}/results/",
            "tut-health": tutorial_base + "/health/",
            "tut-detail": f"{tutorial_base}/polls/{tutorial['question']}/",
        }
        for url in pages.values():  # every page answers 200 before anything is measured
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200, url
        shown = urllib.request.urlopen(poll_url).read().decode().count('id="comment-')
        live_url = f"{base}/polls/{room_poll.slug}/results/"
        etag = live_etag(live_url)
        (tmp / "live.lua").write_text(LUA_GET + roomlib.LUA_LIVE % {"etag": etag})
        (tmp / "live-paced.lua").write_text(
            LUA_GET + roomlib.LUA_LIVE_PACED % {"etag": etag, "interval_ms": 3000}
        )
        pages["live"] = live_url

        # Interleaved rounds: every endpoint gets a slice in every round, so a burst of
        # load from elsewhere on the machine hits all of them alike.
        options = {"threads": args.threads, "connections": args.connections}
        for url in pages.values():
            wrk(url, tmp / "get.lua", seconds=args.warmup, **options)
        names = [*OURS, *TUTORIAL]
        slices: dict[str, list[dict]] = {name: [] for name in names}
        concurrent_votes: list[dict] = []  # the voting side of each poll+votes slice
        offsets = dict.fromkeys(vote_kinds, 0)

        def voting(name: str) -> subprocess.Popen:
            """Start the wrk that votes for this row, with the next unused voters."""
            _, path, threads, connections = vote_kinds[name]
            site = tutorial_base if name == "tut-vote" else base
            return wrk_start(
                site + path,
                scripts[name],
                seconds=args.seconds,
                threads=threads,
                connections=connections,
                args=[offsets[name]],
            )

        def voted(name: str, process: subprocess.Popen) -> dict:
            result = wrk_finish(process, args.seconds)
            voter_list, _, threads, connections = vote_kinds[name]
            # Requests wrk sent but abandoned at its deadline used voters too.
            offsets[name] += result["requests"] + connections + threads
            if name != "tut-vote" and offsets[name] > len(voter_list):
                raise SystemExit(f"not enough pre-generated voters for {name}: raise --voters")
            return result

        for round_number in range(args.rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            for name in order:
                if name == "poll+votes":  # both wrk processes run at the same time
                    votes = voting(name)
                    reading = wrk_start(poll_url, tmp / "get.lua", seconds=args.seconds, **options)
                    result = wrk_finish(reading, args.seconds)
                    concurrent_votes.append(voted(name, votes))
                elif name in vote_kinds:
                    result = voted(name, voting(name))
                else:
                    script = tmp / ("live.lua" if name == "live" else "get.lua")
                    result = wrk(pages[name], script, seconds=args.seconds, **options)
                slices[name].append(result)
        room = room_phones(args, live_url, tmp / "live-paced.lua")

        def summarise(runs: list[dict]) -> dict:
            requests = sum(r["requests"] for r in runs)
            seconds = sum(r["duration_us"] for r in runs) / 1e6
            return {
                "rps": requests / seconds,
                "round_rps": [r["rps"] for r in runs],
                "p50_us": statistics.median(r["p50_us"] for r in runs),
                "p99_us": statistics.median(r["p99_us"] for r in runs),
                "requests": requests,
                "status": sum(r["status"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
            }

        rows = {name: summarise(runs) for name, runs in slices.items()}
        during = summarise(concurrent_votes)
        time.sleep(1)  # let the workers finish requests wrk abandoned at its deadline

        from polls.models import Ballot

        def ballots(poll) -> int:
            return Ballot.objects.filter(poll=poll).count()

        ballots_after_wrk = ballots(vote_poll)
        wrk_accepted = rows["vote"]["requests"] - rows["vote"]["status"]
        in_flight = ballots_after_wrk - wrk_accepted
        thread_ballots = ballots(thread_poll)
        during_accepted = during["requests"] - during["status"]
        during_in_flight = thread_ballots - seeded_ballots - during_accepted
        tutorial_accepted = rows["tut-vote"]["requests"] - rows["tut-vote"]["status"]
        tutorial_stored = tutorial_votes_stored(tutorial_pg_url)
        exact = exact_vote_round(base, vote_path, exact_voters, workers=16)
        exact_stored = ballots(vote_poll) - ballots_after_wrk
        connection.close()
        verify_status, verify_output = verify_vote_counts()
        rss = {pid: rss_mb(pid) for pid in worker_pids(gunicorn.pid)}
        tutorial_rss = {pid: rss_mb(pid) for pid in worker_pids(tutorial_gunicorn.pid)}
    finally:
        stop_gunicorn(gunicorn)
        stop_gunicorn(tutorial_gunicorn)
        connection.close()
        benchlib.pg_drop(args.pg_url)
        benchlib.pg_drop(tutorial_pg_url)
        redis_delete_prefix(args.redis_url, redis_prefix)
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(
        f"gunicorn {args.workers} gthread workers x 4 threads (socialpoll/gunicorn.conf.py) "
        f"+ PostgreSQL, wrk -t{args.threads} "
        f"-c{args.connections} over loopback, {args.rounds} interleaved rounds of "
        f"{args.seconds} s per endpoint;\npoll page shows {shown} comments; poll+votes = "
        f"that page read while a second wrk (-c{args.voting_connections}) votes in that poll;"
        "\ntut-* = the Django tutorial's polls app (bench/tutorial_site), same gunicorn "
        "settings, its own database.\nratio = req/s over the same site's trivial view "
        "(health; tut-* over tut-health), range: per round;\np50/p99: median over rounds."
    )
    header = (
        f"{'endpoint':<10} {'req/s':>8} {'ratio':>6} {'range':>11} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'requests':>8} {'non-2xx/3xx':>11} {'sock err':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, row in rows.items():
        baseline = rows[BASELINE[name]]
        row["ratio"] = row["rps"] / baseline["rps"]
        ratios = [a / b for a, b in zip(row["round_rps"], baseline["round_rps"], strict=True)]
        if name == TUTORIAL[0]:
            print("-" * len(header))
        print(
            f"{name:<10} {row['rps']:>8.0f} {row['ratio']:>6.2f} "
            f"{min(ratios):>5.2f}-{max(ratios):<5.2f} "
            f"{row['p50_us'] / 1000:>7.1f} {row['p99_us'] / 1000:>7.1f} "
            f"{row['requests']:>8} {row['status']:>11} {row['errors']:>8}"
        )
    print()
    health = rows["health"]["rps"]
    print(
        f"poll+votes: {during['rps']:.0f} votes/s went to the same poll meanwhile "
        f"({during['rps'] / health:.2f} of health), {during['status']} non-2xx/3xx, "
        f"{during['errors']} socket errors"
    )
    print(
        f"tutorial: its trivial view served {rows['tut-health']['rps'] / health:.2f}x our "
        f"/health/'s req/s; votes: wrk accepted {tutorial_accepted}, stored "
        f"{tutorial_stored} (in flight at wrk's deadlines: {tutorial_stored - tutorial_accepted})"
    )
    print(
        f"live, {args.phones} phones every 3 s (wrk -c{args.phones}, If-None-Match, "
        f"{args.room_seconds} s): {room['rps']:.0f} req/s, p50 {room['p50_us'] / 1000:.1f} ms, "
        f"p99 {room['p99_us'] / 1000:.1f} ms, {room['requests']} requests, "
        f"{room['status']} non-2xx/3xx, {room['errors']} socket errors, "
        f"{room['queries']} SQL queries ({room['queries_per_request']:.3f} per request)"
    )
    errors = sum(row["status"] + row["errors"] for row in rows.values())
    errors += during["status"] + during["errors"] + exact["other"]
    errors += room["status"] + room["errors"]
    bound = args.connections * args.rounds
    during_bound = args.voting_connections * args.rounds
    wrk_ok = 0 <= in_flight <= bound and 0 <= during_in_flight <= during_bound
    exact_ok = exact_stored == exact["accepted"]
    verify_ok = verify_status == 0
    print(
        f"votes: wrk accepted {wrk_accepted}, ballots stored {ballots_after_wrk} "
        f"(in flight at wrk's deadlines: {in_flight}, at most {bound})"
    )
    print(
        f"votes during poll+votes: wrk accepted {during_accepted}, ballots stored "
        f"{thread_ballots - seeded_ballots} besides the {seeded_ballots} seeded "
        f"(in flight at wrk's deadlines: {during_in_flight}, at most {during_bound})"
    )
    print(
        f"votes: exact round of {exact['sent']} concurrent votes (16 threads): "
        f"{exact['accepted']} accepted, {exact_stored} ballots stored, {exact['other']} refused"
    )
    last_line = verify_output.splitlines()[-1] if verify_output else "(no output)"
    print(f"manage.py verify_vote_counts: exit {verify_status}: {last_line}")
    if not verify_ok:
        print(verify_output)
    worker_rss = ", ".join(f"{mb:.0f} MB" for mb in rss.values())
    tutorial_worker_rss = ", ".join(f"{mb:.0f} MB" for mb in tutorial_rss.values())
    print(
        f"memory: gunicorn worker resident size after the run: {worker_rss} "
        f"(tutorial: {tutorial_worker_rss})"
    )
    print(f"elapsed: {time.monotonic() - started:.0f} s")
    print()
    ballots_ok = "yes" if wrk_ok and exact_ok and verify_ok else "no"
    print(
        f"http: poll_ratio={rows['poll']['ratio']:.2f} "
        f"vote_ratio={rows['vote']['ratio']:.2f} "
        f"home_ratio={rows['home']['ratio']:.2f} "
        f"results_ratio={rows['results']['ratio']:.2f} "
        f"poll_voting_ratio={rows['poll+votes']['ratio']:.2f} "
        f"live_ratio={rows['live']['ratio']:.2f} "
        f"live_queries={room['queries_per_request']:.3f} "
        f"tutorial_vote_ratio={rows['tut-vote']['ratio']:.2f} "
        f"tutorial_detail_ratio={rows['tut-detail']['ratio']:.2f} "
        f"errors={errors} ballots_ok={ballots_ok} "
        f"worker_rss_mb={max(rss.values(), default=0):.0f} comments={shown}"
    )


if __name__ == "__main__":
    main()
