"""Thread benchmark: socialpoll's poll page against django-comments-xtd on the same thread.

    .venv/bin/python bench/thread.py            # N = 10, 100, 1000, 5000; SQLite and PostgreSQL
    .venv/bin/python bench/thread.py --ns 10,100 --dbs sqlite    # a quick look
    .venv/bin/python bench/thread.py --ns 1000 --repeats 5       # the speed-up as a range

For each N it builds the seeded thread of bench/threadspec.py (depth limit 3, half by
signed-in users, some held, spam and removed comments) under one poll, in socialpoll (this
virtualenv) and in django-comments-xtd (its own virtualenv, bench/.xtd-env, created on
first use from PyPI, driven as a subprocess with the minimal site in bench/xtd_site/),
renders the whole poll page with Django's test client and prints the SQL queries and the
median time of one render. Only the ratios mean anything on a shared machine.

socialpoll is measured three ways:
  whole   the entire thread on one page, rendered: the same work xtd does, and the figure
          the speedup is computed from;
  page 1  the page as shipped (COMMENTS_PER_PAGE top-level comments), rendered;
  cached  the page as shipped, as the next anonymous reader gets it after one reader had it
          rendered: since polls/pagecache.py the whole page comes from the cache (readers it
          does not serve, such as voters and signed-in users, still get the rendered thread
          from comments/cache.py).

"Rendered" means every cache layer is emptied before each of those renders: Django's cache
(thread, page and versions) and the worker's own copy of stored pages
(polls.pagecache.clear_local(), which cache.clear() does not reach; used when the module
and function exist). A render that is meant to be uncached and runs no SQL query at all was
served from some cache after all: the script stops with an error (exit status 1) instead of
printing a cache hit as a render time. Each seeded poll gets 18 real ballots (0, 3, 6 and 9
per choice), cast through the vote view, so its results come from ballots.

PostgreSQL: postgres://postgres@127.0.0.1:5432/h_bench (override with --pg-url); the
database is dropped and created by each side and dropped at the end.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
XTD_ENV = BENCH / ".xtd-env"
XTD_PYTHON = XTD_ENV / "bin" / "python"
XTD_REQUIREMENTS = [
    "django>=5.2,<5.3",
    "django-comments-xtd>=2.10,<2.11",
    "django-contrib-comments>=2.2,<3",
    "psycopg2-binary>=2.9,<3",
]
MAX_DEPTH = 3
BIG = 10**9  # COMMENTS_PER_PAGE that puts a whole thread on one page

# bench/http.py would shadow the standard library's http: bench/ goes last on the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.append(str(BENCH))

import benchlib  # noqa: E402
import seed  # noqa: E402
import threadspec  # noqa: E402


# --- the django-comments-xtd virtualenv ----------------------------------------------------
def ensure_xtd_env() -> None:
    """Create bench/.xtd-env with django-comments-xtd from PyPI unless it is there already."""
    check = [str(XTD_PYTHON), "-c", "import django_comments_xtd, django, psycopg2"]
    if XTD_PYTHON.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return
    print(f"Creating {XTD_ENV.relative_to(ROOT)} with django-comments-xtd (first run only)…")
    venv.EnvBuilder(with_pip=True, clear=True).create(XTD_ENV)
    subprocess.run(
        [str(XTD_PYTHON), "-m", "pip", "install", "--quiet", *XTD_REQUIREMENTS],
        check=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )


# --- the socialpoll side (runs in a child process of this script, in .venv) ----------------
def socialpoll_side(args) -> None:
    tmp = tempfile.mkdtemp(prefix="socialpoll-thread-bench-")
    (Path(tmp) / "static").mkdir()  # whitenoise warns about a missing STATIC_ROOT otherwise
    os.environ["SOCIALPOLL_VAR_DIR"] = tmp
    os.environ["COMMENTS_MAX_DEPTH"] = str(args.max_depth)
    os.environ.pop("REDIS_URL", None)  # process-local cache, as in development
    os.environ.pop("DJANGO_DEBUG", None)
    if args.db == "postgresql":
        os.environ["DATABASE_URL"] = args.pg_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "socialpoll.settings"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    # What Django's test runner does, minus the template instrumentation that would add
    # a context copy per template render (it would slow xtd's recursive tree far more).
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    try:
        from polls import pagecache
    except ImportError:  # the per-worker page copy may go away with a redesign
        pagecache = None
    clear_local = getattr(pagecache, "clear_local", None)

    def clear_caches() -> None:
        """Every cache layer a poll page can come from: Django's cache (the thread, the
        stored page, their versions) and this worker's own copy of stored pages, which
        cache.clear() does not touch."""
        cache.clear()
        if clear_local is not None:
            clear_local()

    call_command("migrate", verbosity=0)
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"member{i}", email=f"member{i}@example.com", password="!")
        for i in range(threadspec.USER_POOL)
    )
    author = User.objects.create(username="trainer", password="!")
    urls = {}
    voter = Client()
    for n in [int(x) for x in args.ns.split(",")]:
        poll = seed.seed_socialpoll(
            n, author=author, users=users, seed=args.seed, max_depth=args.max_depth
        )
        urls[n] = poll.get_absolute_url()
        seed.cast_seed_votes(poll, lambda path, data: _post_as_new_voter(voter, path, data))

    def count(body: str) -> dict:
        return {
            "shown": body.count('id="comment-'),
            "tombstones": body.count('class="comment-tombstone-text"'),
        }

    def fill(url: str) -> None:
        clear_caches()  # the page as shipped, not a whole-thread page a "whole" render stored
        filler.get(url)

    def modes(n: int, mode: str) -> benchlib.Mode:
        if mode == "whole":  # the entire thread on one page, rendered from the database
            return benchlib.Mode(
                urls[n],
                prepare=clear_caches,
                settings={"COMMENTS_PER_PAGE": BIG},
                count=count,
                count_queries=True,
            )
        if mode == "page1":  # the first page as shipped, rendered from the database
            return benchlib.Mode(urls[n], prepare=clear_caches, count=count, count_queries=True)
        # The first page as shipped, as the reader after a first one gets it: one untimed
        # render, with every cache emptied first, stores it.
        return benchlib.Mode(urls[n], prepare=lambda: fill(urls[n]), count=count)

    filler = Client()  # one client: each new one would load the middleware again
    benchlib.serve(modes)
    from django.db import connection

    connection.close()


def _post_as_new_voter(client, path: str, data: dict) -> int:
    client.cookies.clear()  # no voter cookie: a new anonymous voter
    return client.post(path, data).status_code


# --- the orchestrator -----------------------------------------------------------------------
SP_MODES = ("whole", "page1", "cached")
UNCACHED = ("whole", "page1")  # must be rendered from the database, every time


def check_rendered(db: str, n: int, mode: str, result: dict, what: str) -> None:
    """Stop the whole run when a render meant to be uncached ran no SQL query: it was
    served from a cache that clear_caches() did not empty, and its time is not a render."""
    if mode in UNCACHED and result["queries"] == 0:
        raise SystemExit(
            f"bench/thread.py: FAILED: the {mode!r} render of the N={n} poll page on {db} "
            f"({what}) ran 0 SQL queries, so it was served from a cache, not rendered. "
            "Some cache layer survives clear_caches() in socialpoll_side(): empty it there "
            "too. No figures printed, since they would measure the cache."
        )


def measure(sides: dict, ns: list[int], budget: float, db: str) -> dict:
    """Per N: queries of each render once, then timed renders alternating between the two
    sides (and socialpoll's modes) until the time budget is spent, at least 3 rounds. Every
    uncached render, counted or timed, must have run SQL (check_rendered)."""
    out: dict = {}
    for n in ns:
        row = {"n": n}
        for mode in SP_MODES:
            row[mode] = sides["socialpoll"].ask("queries", n, mode)
            check_rendered(db, n, mode, row[mode], "counted render")
        row["xtd"] = sides["xtd"].ask("queries", n, "page")
        times = {name: [] for name in (*SP_MODES, "xtd")}
        started = time.monotonic()
        rounds = 0
        while rounds < 3 or (rounds < 15 and time.monotonic() - started < budget):
            order = [("xtd", "page", "xtd")] + [("socialpoll", m, m) for m in SP_MODES]
            if rounds % 2:
                order.reverse()
            for side, mode, key in order:
                result = sides[side].ask("time", n, mode)
                if side == "socialpoll":
                    check_rendered(db, n, mode, result, f"timed render, round {rounds + 1}")
                times[key].append(result["ms"])
            rounds += 1
        for key, values in times.items():
            row[key]["median_ms"] = statistics.median(values)
            row[key]["runs"] = len(values)
        out[n] = row
    return out


def measure_in_fresh_processes(db: str, ns: list[int], args, common: list[str]) -> dict:
    """One measure() with a new process for each side (and, on PostgreSQL, a new database)."""
    if db == "postgresql":
        benchlib.pg_recreate(args.pg_url)
    sp_cmd = [sys.executable, str(Path(__file__).resolve()), "--side", "socialpoll"]
    xtd_cmd = [str(XTD_PYTHON), str(BENCH / "xtd_site" / "run.py")]
    sides = {
        "socialpoll": benchlib.Side([*sp_cmd, "--db", db, *common], cwd=str(ROOT)),
        "xtd": benchlib.Side([*xtd_cmd, "--db", db, *common], cwd=str(ROOT)),
    }
    try:
        return measure(sides, ns, args.budget, db)
    finally:
        for side in sides.values():
            side.close()
        if db == "postgresql":
            benchlib.pg_drop(args.pg_url)


def combine(runs: list[dict]) -> dict:
    """The runs of --repeats as one: each time the median of the runs' medians, and each
    run's own speed-up kept, since a process's speed varies from one run to the next on a
    shared machine (docs/performance.md, "The harness gap")."""
    out = runs[0]
    for n, row in out.items():
        for key in (*SP_MODES, "xtd"):
            row[key]["median_ms"] = statistics.median(run[n][key]["median_ms"] for run in runs)
            row[key]["runs"] = sum(run[n][key]["runs"] for run in runs)
        row["speedups"] = [
            run[n]["xtd"]["median_ms"] / run[n]["whole"]["median_ms"] for run in runs
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ns", default="10,100,1000,5000")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=benchlib.PG_DEFAULT)
    parser.add_argument("--max-depth", type=int, default=MAX_DEPTH)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--budget", type=float, default=4.0, help="seconds of renders per N")
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="measure this many times, each with new processes; speed-up shown as a range",
    )
    parser.add_argument("--side", choices=["socialpoll"], help=argparse.SUPPRESS)
    parser.add_argument("--db", default="sqlite", help=argparse.SUPPRESS)
    parser.add_argument("--show-sql", action="store_true", help="print socialpoll's queries")
    args = parser.parse_args()
    if args.side == "socialpoll":
        socialpoll_side(args)
        return

    started = time.monotonic()
    ensure_xtd_env()
    dbs = [db for db in args.dbs.split(",") if db]
    if "postgresql" in dbs and not benchlib.pg_available(args.pg_url):
        print(f"PostgreSQL not reachable at {args.pg_url}: SQLite only.")
        dbs.remove("postgresql")
    ns = [int(x) for x in args.ns.split(",")]
    common = ["--ns", args.ns, "--max-depth", str(args.max_depth), "--seed", str(args.seed)]
    common += ["--pg-url", args.pg_url]
    results: dict[str, dict] = {}
    for db in dbs:
        runs = [measure_in_fresh_processes(db, ns, args, common) for _ in range(args.repeats)]
        results[db] = combine(runs)

    header = (
        f"{'db':<10} {'N':>5} | {'shown':>11} | {'queries':>7} {'whole ms':>9} | "
        f"{'xtd q':>6} {'xtd ms':>8} | {'speedup':>7} | {'page1 q':>7} {'page1 ms':>8} | "
        f"{'cached q':>8} {'cached ms':>9} {'speedup':>7}"
    )
    print()
    print("Poll page with its comment thread, Django test client, median of interleaved renders")
    print(
        "whole = entire thread on one page, rendered; page1 = first page as shipped, "
        "rendered (both: Django's cache and\nthe worker's page copy emptied before each "
        "render, and every render checked to run SQL); cached = first\npage as shipped, as "
        "the next anonymous reader gets it. shown = comment articles on the page, "
        "whole/xtd.\nspeedup = xtd ms / whole ms (and xtd ms / cached ms)."
    )
    print(header)
    print("-" * len(header))
    for db in dbs:
        for n in ns:
            row = results[db][n]
            whole, xtd = row["whole"], row["xtd"]
            row["speedup"] = xtd["median_ms"] / whole["median_ms"]
            row["cached_speedup"] = xtd["median_ms"] / row["cached"]["median_ms"]
            print(
                f"{db:<10} {n:>5} | {whole['shown']:>5}/{xtd['shown']:<5} | "
                f"{whole['queries']:>7} {whole['median_ms']:>9.1f} | "
                f"{xtd['queries']:>6} {xtd['median_ms']:>8.1f} | {row['speedup']:>6.1f}x | "
                f"{row['page1']['queries']:>7} {row['page1']['median_ms']:>8.1f} | "
                f"{row['cached']['queries']:>8} {row['cached']['median_ms']:>9.1f} "
                f"{row['cached_speedup']:>6.0f}x"
            )
        if args.show_sql:
            for n in ns:
                print(f"\nsocialpoll queries, {db}, N={n} (whole):")
                for sql in results[db][n]["whole"]["sql"]:
                    print("  ", sql[:200])
    if args.repeats > 1:
        print(f"\nspeedup of each of the {args.repeats} runs (new processes each):")
        for db in dbs:
            for n in ns:
                each = " ".join(f"{x:.1f}x" for x in results[db][n]["speedups"])
                print(f"{db:<10} {n:>5} | {each}")
    print(f"\nelapsed: {time.monotonic() - started:.0f} s\n")

    queries = {results[db][n][m]["queries"] for db in dbs for n in ns for m in SP_MODES}
    constant = all(
        len({results[db][n][m]["queries"] for n in ns}) == 1 for db in dbs for m in SP_MODES
    )
    focus = 1000 if 1000 in ns else ns[-1]
    base = results[dbs[0]][focus]
    extra = ""
    if len(dbs) > 1:
        label = "pg" if dbs[1] == "postgresql" else dbs[1]
        extra = f" {label}_speedup={results[dbs[1]][focus]['speedup']:.1f}"
    rendered = all(results[db][n]["whole"]["shown"] > 0 for db in dbs for n in ns if n)
    print(
        f"thread: n={focus} queries={base['whole']['queries']} "
        f"xtd_queries={base['xtd']['queries']} speedup={base['speedup']:.1f}{extra} "
        f"cached_speedup={base['cached_speedup']:.0f} max_queries={max(queries)} "
        f"queries_constant={'yes' if constant else 'no'} "
        f"thread_rendered={'yes' if rendered else 'no'}"
    )


if __name__ == "__main__":
    main()
