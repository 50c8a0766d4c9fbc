"""HTTP benchmark: socialpoll under gunicorn + PostgreSQL, driven by wrk over loopback.

    .venv/bin/python bench/http.py          # about 1.5 minutes; needs wrk, PostgreSQL, Redis

Starts gunicorn (2 sync workers) with production settings (DJANGO_DEBUG=0, a generated
secret key; only TLS redirects and secure cookies are off, since this is plain HTTP on
127.0.0.1) on a fresh PostgreSQL database (default h_bench_http, dropped at the end) with
Redis as the shared cache, as in production (default redis://127.0.0.1:6379/12, under a key
prefix of its own that is deleted at the end), and
drives each endpoint with wrk after a short warm-up, in interleaved rounds (every endpoint
gets a few seconds in every round, so load from elsewhere on a shared machine hits them
all alike):

    health     /health/, the trivial view every other figure is divided by
    home       /, the list of published polls (a full page of 20)
    poll       a poll page with a 50-comment thread (cached thread, as readers get it)
    results    the results fragment /polls/<slug>/results/
    vote       POST /polls/<slug>/vote/, each request a distinct pre-generated voter with
               its own signed voter cookie and CSRF token (Lua script)

Then it checks the counts: every vote answered 2xx/3xx by wrk must be a stored ballot (wrk
abandons the requests in flight when its time is up; those may still be stored, so the
difference must lie between 0 and connections x rounds), and a second, exact round of
concurrent votes from Python threads must store exactly as many ballots as it got
redirects, with the poll's and the choices' counters equal to the ballots. Finally it
reads the resident memory of each gunicorn worker.

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

ROOT = BENCH.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/h_bench_http"
REDIS_URL = "redis://127.0.0.1:6379/12"
COMMENTS = 50

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
  local v = voters[next_index]
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
    """Twenty polls for the home page, one with a 50-comment thread, one to vote in."""
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


def make_voters(count: int, choice_ids: list[int], rng_seed: int = 7) -> list[tuple[str, str]]:
    """(Cookie header, form body) for distinct anonymous voters: a signed voter id as the
    site would have set it, and a CSRF secret used as both cookie and form token (Django
    accepts the unmasked 32-character secret as the form token)."""
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
        csrf = secrets.token_hex(16)  # 32 characters from Django's CSRF alphabet
        cookie = f"{settings.CSRF_COOKIE_NAME}={csrf}; {settings.POLLS_VOTER_COOKIE}={voter}"
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


def wrk(url: str, script: Path, *, seconds: int, threads: int, connections: int, args=()) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(script), url]
    if args:
        cmd += ["--", *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            data["errors"] = sum(data[k] for k in ("connect", "read", "write", "timeout"))
            return data
    raise RuntimeError(f"wrk gave no summary:\n{out.stdout}\n{out.stderr}")


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


def exact_vote_round(base: str, path: str, voters: list[tuple[str, str]], workers: int) -> dict:
    """Concurrent votes from Python threads, every response read: (redirects, others)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def post(voter: tuple[str, str]) -> int:
        cookie, body = voter
        request = urllib.request.Request(
            base + path,
            data=body.encode(),
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(post, voters))
    accepted = sum(1 for s in statuses if 200 <= s < 400)
    return {"sent": len(statuses), "accepted": accepted, "other": len(statuses) - accepted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per endpoint and round")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--redis-url", default=REDIS_URL, help="the shared cache")
    parser.add_argument("--voters", type=int, default=20000)
    parser.add_argument("--exact-votes", type=int, default=1000)
    args = parser.parse_args()

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
    setup_django(str(tmp), args.pg_url, args.redis_url, redis_prefix)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    thread_poll, vote_poll = seed_site()
    choice_ids = list(vote_poll.choices.values_list("pk", flat=True))
    voters = make_voters(args.voters + args.exact_votes, choice_ids)
    wrk_voters, exact_voters = voters[: args.voters], voters[args.voters :]
    write_voters_lua(tmp / "voters.lua", wrk_voters)
    (tmp / "get.lua").write_text(LUA_GET)
    vote_path = f"/polls/{vote_poll.slug}/vote/"
    (tmp / "vote.lua").write_text(
        LUA_VOTE % {"voters": tmp / "voters.lua", "threads": args.threads, "path": vote_path}
        + LUA_GET
    )
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "socialpoll.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/health/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not answer /health/; see " + str(tmp / "gunicorn.log"))
        pages = {
            "health": "/health/",
            "home": "/",
            "poll": thread_poll.get_absolute_url(),
            "results": f"/polls/{thread_poll.slug}/results/",
        }
        for path in pages.values():  # every page answers 200 before anything is measured
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200, path
        shown = urllib.request.urlopen(base + pages["poll"]).read().decode().count('id="comment-')

        # Interleaved rounds: every endpoint gets a slice in every round, so a burst of
        # load from elsewhere on the machine hits all of them alike.
        options = {"threads": args.threads, "connections": args.connections}
        for path in pages.values():
            wrk(base + path, tmp / "get.lua", seconds=args.warmup, **options)
        slices: dict[str, list[dict]] = {name: [] for name in [*pages, "vote"]}
        offset = 0
        for round_number in range(args.rounds):
            order = list(slices)
            order = order[round_number % len(order) :] + order[: round_number % len(order)]
            for name in order:
                if name == "vote":
                    result = wrk(
                        base + vote_path,
                        tmp / "vote.lua",
                        seconds=args.seconds,
                        args=[offset],
                        **options,
                    )
                    # Requests wrk sent but abandoned at its deadline used voters too.
                    offset += result["requests"] + args.connections + args.threads
                    if offset > len(wrk_voters):
                        raise SystemExit("not enough pre-generated voters: raise --voters")
                else:
                    result = wrk(
                        base + pages[name], tmp / "get.lua", seconds=args.seconds, **options
                    )
                slices[name].append(result)
        rows = {}
        for name, runs in slices.items():
            requests = sum(r["requests"] for r in runs)
            seconds = sum(r["duration_us"] for r in runs) / 1e6
            rows[name] = {
                "rps": requests / seconds,
                "round_rps": [r["rps"] for r in runs],
                "p50_us": statistics.median(r["p50_us"] for r in runs),
                "p99_us": statistics.median(r["p99_us"] for r in runs),
                "requests": requests,
                "status": sum(r["status"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
            }
        time.sleep(1)  # let the workers finish requests wrk abandoned at its deadline

        from polls.models import Ballot
        from polls.services import counters_verify

        ballots_after_wrk = Ballot.objects.filter(poll=vote_poll).count()
        vote = rows["vote"]
        wrk_accepted = vote["requests"] - vote["status"]
        in_flight = ballots_after_wrk - wrk_accepted
        exact = exact_vote_round(base, vote_path, exact_voters, workers=16)
        ballots_total = Ballot.objects.filter(poll=vote_poll).count()
        exact_stored = ballots_total - ballots_after_wrk
        vote_poll.refresh_from_db()
        drifts = counters_verify(polls=[vote_poll])
        rss = {pid: rss_mb(pid) for pid in worker_pids(gunicorn.pid)}
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        connection.close()
        benchlib.pg_drop(args.pg_url)
        redis_delete_prefix(args.redis_url, redis_prefix)
        shutil.rmtree(tmp, ignore_errors=True)

    health = rows["health"]["rps"]
    print()
    print(
        f"gunicorn {args.workers} sync workers + PostgreSQL, wrk -t{args.threads} "
        f"-c{args.connections} over loopback, {args.rounds} interleaved rounds of "
        f"{args.seconds} s per endpoint;\npoll page shows {shown} comments. ratio = req/s over "
        "health's req/s (range: per round); p50/p99: median over rounds."
    )
    header = (
        f"{'endpoint':<9} {'req/s':>8} {'ratio':>6} {'range':>11} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'requests':>8} {'non-2xx/3xx':>11} {'sock err':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, row in rows.items():
        ratios = [a / b for a, b in zip(row["round_rps"], rows["health"]["round_rps"], strict=True)]
        print(
            f"{name:<9} {row['rps']:>8.0f} {row['rps'] / health:>6.2f} "
            f"{min(ratios):>5.2f}-{max(ratios):<5.2f} "
            f"{row['p50_us'] / 1000:>7.1f} {row['p99_us'] / 1000:>7.1f} "
            f"{row['requests']:>8} {row['status']:>11} {row['errors']:>8}"
        )
    print()
    errors = sum(row["status"] + row["errors"] for row in rows.values()) + exact["other"]
    wrk_ok = 0 <= in_flight <= args.connections * args.rounds
    exact_ok = exact_stored == exact["accepted"]
    counters_ok = not drifts and vote_poll.ballot_count == ballots_total
    print(
        f"votes: wrk accepted {wrk_accepted}, ballots stored {ballots_after_wrk} "
        f"(in flight at wrk's deadlines: {in_flight}, at most {args.connections * args.rounds})"
    )
    print(
        f"votes: exact round of {exact['sent']} concurrent votes (16 threads): "
        f"{exact['accepted']} accepted, {exact_stored} ballots stored, {exact['other']} refused"
    )
    print(
        f"counters: poll says {vote_poll.ballot_count} votes, {ballots_total} ballots, "
        f"{len(drifts)} counters differ from the ballots"
    )
    worker_rss = ", ".join(f"{mb:.0f} MB" for mb in rss.values())
    print(f"memory: gunicorn worker resident size after the run: {worker_rss}")
    print(f"elapsed: {time.monotonic() - started:.0f} s")
    print()
    ballots_ok = "yes" if wrk_ok and exact_ok and counters_ok else "no"
    print(
        f"http: poll_ratio={rows['poll']['rps'] / health:.2f} "
        f"vote_ratio={rows['vote']['rps'] / health:.2f} "
        f"home_ratio={rows['home']['rps'] / health:.2f} "
        f"results_ratio={rows['results']['rps'] / health:.2f} "
        f"errors={errors} ballots_ok={ballots_ok} "
        f"worker_rss_mb={max(rss.values(), default=0):.0f} comments={shown}"
    )


if __name__ == "__main__":
    main()
