"""Load and correctness under concurrency: socialpoll on gunicorn + PostgreSQL over loopback.

    .venv/bin/python bench/load.py            # full: 3 rounds on one instance, 3 on two
    .venv/bin/python bench/load.py --short    # CI form: 1 round on two instances (< 2 min)
    .venv/bin/python bench/load.py --mode single|double|both --rounds N
    .venv/bin/python bench/load.py --mode room [--phones 1000]   # a workshop room: roomload.py

Each round opens one new poll and sends, all at once, 200 anonymous voters (each its own
browser: GET the poll page for the CSRF token, POST a vote, then POST the same vote again,
which must be refused as already voted) and 50 anonymous commenters (GET the page for the
form, POST a comment with a unique text). Afterwards it reads the database and checks,
exactly: one ballot per voter, each choice's counter equal to the voters who chose it, the
poll's total equal to the ballots, every comment stored once with the text sent, and no
5xx anywhere.

"double" runs two gunicorn instances on two ports sharing one PostgreSQL database and one
Redis (REDIS_URL, a key prefix of its own per run), and alternates every voter's and
commenter's requests between them (the page from one, the post to the other, the repeat
vote to the first again). On top of the checks above it shows that
  - a voter still counts once, whichever instance they reach;
  - the vote rate limit is one budget across both instances: one address sending
    2 x limit votes, alternating, gets exactly `limit` through and 429 + Retry-After for
    the rest;
  - both instances answer the same cached results fragment, equal to the database.
Voters carry their own X-Forwarded-For address (the servers run as if behind a proxy,
RATELIMIT_TRUST_X_FORWARDED_FOR=1), so a class behind one address is not what is tested
here; it is only a header, every connection goes to 127.0.0.1.

Bounded: a fixed number of requests per round, a timeout on each request, and a deadline
for the whole run (--max-seconds). The load server has its own database (default h_load,
created fresh and dropped at the end) and every process started here is stopped at exit.
Prints a table per round and, last, one summary line starting "load:".
"""

import sys
from pathlib import Path

# bench/ holds an http.py of its own: keep it from shadowing the standard library's http,
# and put the project on the path instead.
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from collections import Counter  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.client import HTTPConnection  # noqa: E402

sys.path.append(str(BENCH))
import benchlib  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
VOTERS = 200
COMMENTERS = 50
CHOICES = ("Learning with others", "Learning by watching", "A network", "Something else")
REQUEST_TIMEOUT = 30
RATE_PROBE_LIMIT = 20

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SERVED_INPUT = re.compile(r'name="served" value="([^"]+)"')


# --- the servers ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg_admin(url: str, sql: str) -> None:
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def db_name(url: str) -> str:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"refusing an unusual database name: {name!r}")
    return name


def server_env(args, var_dir: Path, secret: str, redis_prefix: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="socialpoll.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no TLS redirect, no Secure-only cookies.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DATABASE_URL=args.database_url,
        SOCIALPOLL_VAR_DIR=str(var_dir),
        TASKS_BACKEND="database",
        RATELIMIT_TRUST_X_FORWARDED_FOR="1",
        POLLS_VOTE_RATE_LIMIT=str(RATE_PROBE_LIMIT),
        COMMENTS_RATE_LIMIT="1000",
        COMMENTS_MIN_SUBMIT_SECONDS="0",
        DJANGO_LOG_LEVEL="ERROR",
    )
    if redis_prefix is not None:
        env.update(REDIS_URL=args.redis_url, CACHE_KEY_PREFIX=redis_prefix)
    return env


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(env: dict, workers: int, log_dir: Path) -> Server:
    port = free_port()
    log = log_dir / f"gunicorn-{port}.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "socialpoll.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            "60",
            "--backlog",
            "1024",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stopping it stops its workers
    )
    server = Server(port=port, process=process, log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if get_status(server, "/health/") == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn on {port} did not answer in 30 s:\n{log.read_text()[-3000:]}")


def stop_server(server: Server) -> None:
    benchlib.stop_group(server.process)


def get_status(server: Server, path: str) -> int:
    connection = HTTPConnection("127.0.0.1", server.port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


# --- virtual users ----------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: str
    headers: dict
    seconds: float


class Browser:
    """One person's browser: its own cookies, its own address (as the proxy reports it)."""

    def __init__(self, address: str):
        self.cookies: dict[str, str] = {}
        self.address = address

    def request(self, server: Server, method: str, path: str, form: dict | None = None) -> Reply:
        headers = {"X-Forwarded-For": self.address, "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
            return Reply(
                response.status,
                text,
                {k.lower(): v for k, v in response.getheaders()},
                time.perf_counter() - started,
            )
        except OSError as error:  # refused/reset/timeout: counted, never hidden
            return Reply(599, str(error), {}, time.perf_counter() - started)
        finally:
            connection.close()

    def csrf(self, page: Reply) -> str:
        match = _CSRF_INPUT.search(page.body)
        return match.group(1) if match else ""


@dataclass
class Tally:
    statuses: dict[str, Counter] = field(default_factory=dict)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, step: str, reply: Reply) -> None:
        with self.lock:
            self.statuses.setdefault(step, Counter())[reply.status] += 1
            self.seconds.setdefault(step, []).append(reply.seconds)

    def count(self, predicate) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if predicate(s))


def voter(
    number: int, servers: list[Server], slug: str, choice_id: int, start: threading.Barrier
) -> dict:
    browser = Browser(f"10.77.{number // 250}.{number % 250 + 1}")
    first, second = servers[number % len(servers)], servers[(number + 1) % len(servers)]
    page = browser.request(first, "GET", f"/polls/{slug}/")
    token = browser.csrf(page)
    start.wait()
    form = {"csrfmiddlewaretoken": token, "choice": str(choice_id)}
    vote = browser.request(second, "POST", f"/polls/{slug}/vote/", form)
    again = browser.request(first, "POST", f"/polls/{slug}/vote/", form)
    return {"page": page, "vote": vote, "again": again}


def commenter(
    number: int, servers: list[Server], slug: str, body: str, start: threading.Barrier
) -> dict:
    browser = Browser(f"10.78.{number // 250}.{number % 250 + 1}")
    first, second = servers[number % len(servers)], servers[(number + 1) % len(servers)]
    page = browser.request(first, "GET", f"/polls/{slug}/")
    served = _SERVED_INPUT.search(page.body)
    start.wait()
    form = {
        "csrfmiddlewaretoken": browser.csrf(page),
        "name": f"Commenter {number}",
        "email": f"commenter{number}@example.com",
        "website": "",
        "body": body,
        "served": served.group(1) if served else "",
        "homepage": "",
    }
    post = browser.request(second, "POST", f"/polls/{slug}/comments/", form)
    return {"page": page, "comment": post}


# --- one round --------------------------------------------------------------------------


def seed_poll(label: str):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from polls.models import Choice, Poll

    author, _ = get_user_model().objects.get_or_create(
        username="load-trainer", defaults={"email": "load-trainer@example.com"}
    )
    poll = Poll.objects.create(
        question=f"Load round {label}: how would you define social learning?",
        slug=f"load-{label}",
        intro="Vote, then say why.",
        author=author,
        status=Poll.Status.PUBLISHED,
        published_at=timezone.now(),
        results_visibility=Poll.ResultsVisibility.ALWAYS,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, text=text, position=i) for i, text in enumerate(CHOICES)
    )
    return poll


def run_round(label: str, servers: list[Server], deadline: float) -> dict:
    from comments.models import Comment
    from polls.models import Ballot
    from polls.results import poll_results, results_verify

    poll = seed_poll(label)
    choice_ids = list(poll.choices.values_list("pk", flat=True))
    picks = [choice_ids[(n * 7) % len(choice_ids)] for n in range(VOTERS)]
    bodies = [f"Round {label}, comment {n}: {secrets.token_hex(6)}" for n in range(COMMENTERS)]
    tally = Tally()
    start = threading.Barrier(VOTERS + COMMENTERS, timeout=60)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=VOTERS + COMMENTERS) as pool:
        votes = [pool.submit(voter, n, servers, poll.slug, picks[n], start) for n in range(VOTERS)]
        posts = [
            pool.submit(commenter, n, servers, poll.slug, bodies[n], start)
            for n in range(COMMENTERS)
        ]
        results = [f.result(timeout=max(1, deadline - time.monotonic())) for f in votes + posts]
    elapsed = time.perf_counter() - started
    for result in results:
        for step, reply in result.items():
            tally.add(step, reply)

    shown = poll_results(poll)  # what readers are shown, from the cache under the poll's version
    ballots_per_choice = Counter(
        Ballot.objects.filter(poll=poll).values_list("choices__pk", flat=True)
    )
    sent_per_choice = Counter(picks)
    stored_bodies = list(Comment.objects.filter(poll=poll).values_list("body", flat=True))
    voted = sum(1 for r in results[:VOTERS] if r["vote"].status == 302)
    repeats_refused = sum(1 for r in results[:VOTERS] if r["again"].status == 409)
    checks = {
        "votes answered 302": (VOTERS, voted),
        "repeat votes refused (409)": (VOTERS, repeats_refused),
        "ballots stored": (VOTERS, Ballot.objects.filter(poll=poll).count()),
        "poll total shown": (VOTERS, shown.total),
        "choice counts shown = votes sent": (
            dict(sent_per_choice),
            {pk: votes for pk, votes in shown.counts().items() if votes},
        ),
        "ballots per choice = votes sent": (dict(sent_per_choice), dict(ballots_per_choice)),
        "comments answered 302": (
            COMMENTERS,
            sum(1 for r in results[VOTERS:] if r["comment"].status == 302),
        ),
        "comments stored": (COMMENTERS, len(stored_bodies)),
        "comment texts = texts sent": (sorted(bodies), sorted(stored_bodies)),
        "5xx responses": (0, tally.count(lambda s: s >= 500)),
        "polls whose shown counts differ from the ballots": (0, len(results_verify())),
    }
    return {
        "label": label,
        "poll": poll,
        "tally": tally,
        "checks": checks,
        "elapsed": elapsed,
        "sent": {"voters": VOTERS, "repeats": VOTERS, "comments": COMMENTERS},
        "stored": {
            "ballots": checks["ballots stored"][1],
            "repeats_refused": repeats_refused,
            "comments": len(stored_bodies),
        },
    }


# --- two-instance extras ----------------------------------------------------------------


def rate_limit_probe(servers: list[Server], slug: str, choice_id: int) -> dict:
    """One address sends 2 x limit votes, alternating instances, each from a new browser."""
    window = 60
    if time.time() % window > window - 10:  # never straddle a fixed window's edge
        time.sleep(window - time.time() % window + 0.5)
    statuses = []
    retry_after = []
    for n in range(2 * RATE_PROBE_LIMIT):
        browser = Browser("10.99.0.1")
        server = servers[n % len(servers)]
        page = browser.request(server, "GET", f"/polls/{slug}/")
        reply = browser.request(
            server,
            "POST",
            f"/polls/{slug}/vote/",
            {"csrfmiddlewaretoken": browser.csrf(page), "choice": str(choice_id)},
        )
        statuses.append(reply.status)
        if reply.status == 429:
            retry_after.append(reply.headers.get("retry-after", ""))
    return {
        "allowed": statuses.count(302),
        "limited": statuses.count(429),
        "other": [s for s in statuses if s not in (302, 429)],
        "retry_after_ok": all(v.isdigit() and 0 < int(v) <= window for v in retry_after),
    }


def results_fragments(servers: list[Server], slug: str) -> list[str]:
    fragments = []
    for server in servers:
        reply = Browser("10.98.0.1").request(server, "GET", f"/polls/{slug}/results/")
        fragments.append(re.sub(r'nonce="[^"]*"', "", reply.body) if reply.status == 200 else "")
    return fragments


# --- reporting --------------------------------------------------------------------------


def print_round(result: dict, servers: list[Server]) -> bool:
    tally: Tally = result["tally"]
    print(
        f"\n== round {result['label']}: {len(servers)} instance(s) on ports "
        f"{', '.join(str(s.port) for s in servers)}; {VOTERS} voters + {COMMENTERS} "
        f"commenters at once, {result['elapsed']:.1f} s"
    )
    print(f"{'step':<10} {'requests':>8}  {'statuses':<28} {'p50 ms':>7} {'p95 ms':>7}")
    for step, counter in tally.statuses.items():
        times = sorted(tally.seconds[step])
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        statuses = " ".join(f"{s}x{n}" for s, n in sorted(counter.items()))
        print(
            f"{step:<10} {sum(counter.values()):>8}  {statuses:<28} "
            f"{statistics.median(times) * 1000:>7.0f} {p95 * 1000:>7.0f}"
        )
    ok = True
    print(f"{'check':<34} {'expected':>10} {'actual':>10}  result")
    for name, (expected, actual) in result["checks"].items():
        good = expected == actual
        ok &= good
        shown_e = expected if isinstance(expected, int) else f"{len(expected)} items"
        shown_a = actual if isinstance(actual, int) else f"{len(actual)} items"
        print(f"{name:<34} {shown_e!s:>10} {shown_a!s:>10}  {'ok' if good else 'MISMATCH'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="CI form: one two-instance round")
    parser.add_argument("--mode", choices=["single", "double", "both", "room"], default=None)
    parser.add_argument("--rounds", type=int, default=None, help="rounds per mode (full: 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2+)")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--max-seconds", type=float, default=None)
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    parser.add_argument("--phones", type=int, default=1000, help="room: phones in the room")
    parser.add_argument("--vote-window", type=float, default=60, help="room: seconds to vote")
    parser.add_argument("--join-window", type=float, default=20, help="room: seconds to join")
    parser.add_argument("--tail", type=float, default=10, help="room: polling after the votes")
    args = parser.parse_args()
    if args.mode == "room":  # the workshop room (bench/roomload.py), on this module's servers
        sys.path.append(str(BENCH))  # after the standard library: bench/http.py shadows nothing
        import roomload

        return roomload.main(args, sys.modules[__name__])
    if args.workers < 2:
        parser.error("--workers must be 2 or more")
    rounds = args.rounds or (1 if args.short else 3)
    max_seconds = args.max_seconds or (100 if args.short else 600)
    deadline = time.monotonic() + max_seconds
    # The short form runs the two-instance mode only: it checks all the single mode does
    # (with 2 workers per instance) and the shared Redis besides.
    mode = args.mode or ("double" if args.short else "both")
    modes = ["single", "double"] if mode == "both" else [mode]
    began = time.monotonic()

    name = db_name(args.database_url)
    pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(args.database_url, f'CREATE DATABASE "{name}"')
    secret = secrets.token_urlsafe(50)
    servers: list[Server] = []
    all_ok = True
    totals = Counter()
    try:
        with tempfile.TemporaryDirectory(prefix="socialpoll-load-") as tmp:
            var_dir = Path(tmp)
            base_env = server_env(args, var_dir, secret, None)
            os.environ.update(base_env)  # this process reads and seeds the same database
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            call_command("collectstatic", verbosity=0, interactive=False)
            print(
                f"database {name} migrated; static files collected "
                f"({time.monotonic() - began:.0f} s)"
            )

            for mode in modes:
                prefix = f"load-{os.getpid()}-{secrets.token_hex(4)}"
                env = server_env(args, var_dir, secret, prefix if mode == "double" else None)
                count = 2 if mode == "double" else 1
                servers = [start_server(env, args.workers, var_dir) for _ in range(count)]
                for number in range(rounds):
                    if time.monotonic() > deadline - 15:
                        print(f"deadline near: stopping before {mode} round {number + 1}")
                        all_ok = False
                        break
                    result = run_round(f"{mode}-{number + 1}", servers, deadline)
                    all_ok &= print_round(result, servers)
                    totals["voters"] += result["sent"]["voters"]
                    totals["repeats refused"] += result["stored"]["repeats_refused"]
                    totals["ballots stored"] += result["stored"]["ballots"]
                    totals["comments sent"] += result["sent"]["comments"]
                    totals["comments stored"] += result["stored"]["comments"]
                    totals["5xx"] += result["checks"]["5xx responses"][1]
                    totals["rounds"] += 1
                if mode == "double" and time.monotonic() < deadline - 10:
                    poll = result["poll"]
                    fragments = results_fragments(servers, poll.slug)
                    same = bool(fragments[0]) and fragments[0] == fragments[1]
                    from polls.models import Ballot

                    total = Ballot.objects.filter(poll=poll).count()
                    shown = f"{total} vote" in fragments[0]
                    probe_poll = seed_poll(f"{mode}-rate")
                    probe = rate_limit_probe(
                        servers, probe_poll.slug, probe_poll.choices.first().pk
                    )
                    print("\n== two instances, one Redis")
                    checks = {
                        "results fragment identical on both": (True, same),
                        "fragment shows the database total": (True, shown),
                        f"rate limit {RATE_PROBE_LIMIT}: votes let through": (
                            RATE_PROBE_LIMIT,
                            probe["allowed"],
                        ),
                        "rest answered 429": (RATE_PROBE_LIMIT, probe["limited"]),
                        "429s carry Retry-After": (True, probe["retry_after_ok"]),
                        "ballots stored from the probe": (
                            RATE_PROBE_LIMIT,
                            probe_poll.ballots.count(),
                        ),
                    }
                    for check, (expected, actual) in checks.items():
                        good = expected == actual
                        all_ok &= good
                        print(
                            f"{check:<40} {expected!s:>6} {actual!s:>6}  "
                            f"{'ok' if good else 'MISMATCH'}"
                        )
                for server in servers:
                    stop_server(server)
                servers = []
            from django.db import connections

            connections.close_all()
    finally:
        for server in servers:
            stop_server(server)
        if not args.keep_db:
            pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    seconds = time.monotonic() - began
    verdict = "OK" if all_ok and totals["rounds"] else "FAILED"
    print(
        f"\nload: {verdict} rounds={totals['rounds']} modes={'+'.join(modes)} "
        f"voters={totals['voters']} ballots_stored={totals['ballots stored']} "
        f"repeat_votes_refused={totals['repeats refused']} "
        f"comments_sent={totals['comments sent']} comments_stored={totals['comments stored']} "
        f"5xx={totals['5xx']} seconds={seconds:.0f}"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
