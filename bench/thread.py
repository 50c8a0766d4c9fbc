"""Thread benchmark: socialpoll's poll page against django-comments-xtd on the same thread.

    .venv/bin/python bench/thread.py            # N = 10, 100, 1000, 5000; SQLite and PostgreSQL
    .venv/bin/python bench/thread.py --ns 10,100 --dbs sqlite    # a quick look

For each N it builds the seeded thread of bench/threadspec.py (depth limit 3, half by
signed-in users, some held, spam and removed comments) under one poll, in socialpoll (this
virtualenv) and in django-comments-xtd (its own virtualenv, bench/.xtd-env, created on
first use from PyPI, driven as a subprocess with the minimal site in bench/xtd_site/),
renders the whole poll page with Django's test client and prints the SQL queries and the
median time of one render. Only the ratios mean anything on a shared machine.

socialpoll is measured three ways:
  whole   the entire thread on one page, thread cache cleared before every render: the
          same work xtd does, and the figure the speedup is computed from;
  page 1  the page as shipped (COMMENTS_PER_PAGE top-level comments), cache cleared;
  cached  the page as shipped with the rendered thread in the cache (a reader's usual case).

PostgreSQL: postgres://postgres@127.0.0.1:5432/h_bench (override with --pg-url); the
database is dropped and created by each side and dropped at the end.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
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
BIG = 10**9

sys.path.insert(0, str(BENCH))

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
    os.environ["SOCIALPOLL_VAR_DIR"] = tmp
    os.environ["COMMENTS_MAX_DEPTH"] = str(args.max_depth)
    os.environ.pop("REDIS_URL", None)  # process-local cache, as in development
    os.environ.pop("DJANGO_DEBUG", None)
    if args.db == "postgresql":
        benchlib.pg_recreate(args.pg_url)
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

    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"member{i}", email=f"member{i}@example.com", password="!")
        for i in range(threadspec.USER_POOL)
    )
    author = User.objects.create(username="trainer", password="!")
    for n in [int(x) for x in args.ns.split(",")]:
        poll = seed.seed_socialpoll(
            n, author=author, users=users, seed=args.seed, max_depth=args.max_depth
        )
        url = poll.get_absolute_url()
        client = Client()
        with override_settings(COMMENTS_PER_PAGE=BIG):
            whole = benchlib.measure_page(client, url, before=cache.clear, budget_s=args.budget)
        page1 = benchlib.measure_page(client, url, before=cache.clear, budget_s=args.budget)
        cached = benchlib.measure_page(client, url, budget_s=args.budget)
        body = whole.pop("body")
        out = {
            "side": "socialpoll",
            "db": args.db,
            "n": n,
            "shown": body.count('id="comment-'),
            "tombstones": body.count('class="comment-tombstone')
            + body.count("comment is hidden while")
            + body.count("This comment was removed."),
            "queries": whole["queries"],
            "median_ms": whole["median_ms"],
            "runs": whole["runs"],
            "bytes": whole["bytes"],
            "page1_queries": page1["queries"],
            "page1_ms": page1["median_ms"],
            "page1_shown": page1["body"].count('id="comment-'),
            "cached_queries": cached["queries"],
            "cached_ms": cached["median_ms"],
        }
        if args.show_sql:
            out["sql"] = whole["sql"]
        print(json.dumps(out), flush=True)
    if args.db == "postgresql":
        from django.db import connection

        connection.close()
        benchlib.pg_drop(args.pg_url)


# --- the orchestrator -----------------------------------------------------------------------
def run_side(cmd: list[str]) -> list[dict]:
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"benchmark side failed: {' '.join(cmd)}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ns", default="10,100,1000,5000")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=benchlib.PG_DEFAULT)
    parser.add_argument("--max-depth", type=int, default=MAX_DEPTH)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of renders per N")
    parser.add_argument("--side", choices=["socialpoll"], help=argparse.SUPPRESS)
    parser.add_argument("--db", default="sqlite", help=argparse.SUPPRESS)
    parser.add_argument("--show-sql", action="store_true", help="print socialpoll's queries")
    args = parser.parse_args()
    if args.side == "socialpoll":
        socialpoll_side(args)
        return

    ensure_xtd_env()
    dbs = [db for db in args.dbs.split(",") if db]
    if "postgresql" in dbs and not benchlib.pg_available(args.pg_url):
        print(f"PostgreSQL not reachable at {args.pg_url}: SQLite only.")
        dbs.remove("postgresql")
    common = ["--ns", args.ns, "--max-depth", str(args.max_depth), "--seed", str(args.seed)]
    common += ["--pg-url", args.pg_url, "--budget", str(args.budget)]
    results: dict[tuple[str, str, int], dict] = {}
    for db in dbs:
        sp_cmd = [sys.executable, str(Path(__file__).resolve()), "--side", "socialpoll"]
        sp_cmd += ["--db", db, *common] + (["--show-sql"] if args.show_sql else [])
        xtd_cmd = [str(XTD_PYTHON), str(BENCH / "xtd_site" / "run.py"), "--db", db, *common]
        for row in run_side(sp_cmd) + run_side(xtd_cmd):
            results[(row["side"], row["db"], row["n"])] = row

    ns = [int(x) for x in args.ns.split(",")]
    header = (
        f"{'db':<10} {'N':>5} | {'shown':>11} | {'queries':>7} {'whole ms':>9} | "
        f"{'xtd q':>6} {'xtd ms':>8} | {'speedup':>7} | {'page1 q':>7} {'page1 ms':>8} | "
        f"{'cached q':>8} {'cached ms':>9}"
    )
    print()
    print("Poll page with its whole comment thread, Django test client, median of renders")
    print("(shown = comment articles on the page, socialpoll/xtd; speedup = xtd ms / whole ms)")
    print(header)
    print("-" * len(header))
    for db in dbs:
        for n in ns:
            sp = results[("socialpoll", db, n)]
            xtd = results[("xtd", db, n)]
            speedup = xtd["median_ms"] / sp["median_ms"]
            sp["speedup"] = speedup
            print(
                f"{db:<10} {n:>5} | {sp['shown']:>5}/{xtd['shown']:<5} | "
                f"{sp['queries']:>7} {sp['median_ms']:>9.1f} | "
                f"{xtd['queries']:>6} {xtd['median_ms']:>8.1f} | {speedup:>6.1f}x | "
                f"{sp['page1_queries']:>7} {sp['page1_ms']:>8.1f} | "
                f"{sp['cached_queries']:>8} {sp['cached_ms']:>9.2f}"
            )
        if args.show_sql:
            for n in ns:
                print(f"\nsocialpoll queries, {db}, N={n}:")
                for sql in results[("socialpoll", db, n)]["sql"]:
                    print("  ", sql[:200])
    print()

    queries = {results[("socialpoll", db, n)]["queries"] for db in dbs for n in ns}
    constant = "yes" if len(queries) == 1 else "no"
    focus = 1000 if 1000 in ns else ns[-1]
    base_db = dbs[0]
    sp = results[("socialpoll", base_db, focus)]
    xtd = results[("xtd", base_db, focus)]
    extra = ""
    if "postgresql" in dbs and base_db != "postgresql":
        extra = f" pg_speedup={results[('socialpoll', 'postgresql', focus)]['speedup']:.1f}"
    print(
        f"thread: n={focus} queries={sp['queries']} xtd_queries={xtd['queries']} "
        f"speedup={sp['speedup']:.1f}{extra} max_queries={max(queries)} "
        f"queries_constant={constant}"
    )


if __name__ == "__main__":
    main()
