"""The django-comments-xtd side of bench/thread.py; runs inside bench/.xtd-env.

Usage (bench/thread.py does this for you):
    bench/.xtd-env/bin/python bench/xtd_site/run.py --db sqlite|postgresql --ns 10,100

Builds the seeded thread of bench/threadspec.py for each N under one poll each, prints
READY, then renders the poll page with Django's test client as bench/thread.py asks
(benchlib.serve). On PostgreSQL it works in the schema "xtd" of the benchmark database,
which bench/thread.py creates and drops.
"""

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
sys.path.append(str(BENCH))  # last: bench/http.py must not shadow the standard library

import benchlib  # noqa: E402
import threadspec  # noqa: E402


def configure(db: str, pg_url: str, tmp: str, max_depth: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "xtd_site.settings"
    os.environ["XTD_MAX_DEPTH"] = str(max_depth)
    if db == "postgresql":
        import psycopg2

        params = benchlib.pg_params(pg_url)
        with psycopg2.connect(**params) as pg, pg.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS xtd CASCADE")
            cursor.execute("CREATE SCHEMA xtd")
        os.environ.update(
            XTD_DB_ENGINE="postgresql",
            XTD_DB_SCHEMA="xtd",
            XTD_DB_NAME=params["dbname"],
            XTD_DB_HOST=params["host"],
            XTD_DB_PORT=str(params["port"]),
            XTD_DB_USER=params["user"],
            XTD_DB_PASSWORD=params["password"],
        )
    else:
        os.environ["XTD_DB_NAME"] = str(Path(tmp) / "xtd.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)


def seed(n: int, max_depth: int, seed_value: int, users: list):
    """Insert the thread directly with xtd's own threading columns filled in, as xtd's
    save() would have computed them (thread_id, parent_id, level, order, nested_count).
    XtdComment is a multi-table child of Comment, so bulk_create works only on the base."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site
    from django.db import connection, transaction
    from django.utils import timezone
    from django_comments.models import Comment
    from django_comments_xtd.models import XtdComment

    from xtd_site.models import Choice, Poll

    spec = threadspec.build_thread(n, seed=seed_value, max_depth=max_depth)
    poll = Poll.objects.create(
        question="How would you define social learning?",
        slug=f"bench-{n}",
        intro="Tell us what you think.\n\nThink it is something else? Say so below.",
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, text=f"Definition {i + 1}", votes=i * 3) for i in range(4)
    )
    site = Site.objects.get_current()
    content_type = ContentType.objects.get_for_model(Poll)
    start = timezone.now() - timedelta(days=10)

    # xtd's removal hides a removed comment's whole subtree (is_public=False).
    hidden_by_removal: set[int] = set()
    for c in spec:
        if c.parent is not None and (
            c.parent in hidden_by_removal or spec[c.parent].status == threadspec.REMOVED
        ):
            hidden_by_removal.add(c.index)

    with transaction.atomic():
        base = Comment.objects.bulk_create(
            Comment(
                content_type=content_type,
                object_pk=str(poll.pk),
                site=site,
                user=users[c.user] if c.user is not None else None,
                user_name=c.name,
                user_email=c.email,
                user_url=c.url,
                comment=c.text,
                submit_date=start + timedelta(minutes=c.minute),
                ip_address="127.0.0.1",
                is_public=c.status in {threadspec.APPROVED, threadspec.REMOVED}
                and c.index not in hidden_by_removal,
                is_removed=c.status == threadspec.REMOVED,
            )
            for c in spec
        )
        pks = [row.pk for row in base]
        children: dict[int, list[int]] = {}
        for c in spec:
            if c.parent is not None:
                children.setdefault(c.parent, []).append(c.index)
        rows = []
        for root in (c for c in spec if c.parent is None):
            order = 0

            def walk(index: int, thread_pk: int) -> int:
                nonlocal order
                order += 1
                row = [pks[index], thread_pk, 0, spec[index].depth, order, False, 0]
                row[2] = pks[spec[index].parent] if spec[index].parent is not None else pks[index]
                rows.append(row)
                nested = 0
                for child in children.get(index, []):
                    nested += 1 + walk(child, thread_pk)
                row[6] = nested
                return nested

            walk(root.index, pks[root.index])
        meta = XtdComment._meta
        columns = ["comment_ptr_id", "thread_id", "parent_id", "level", "order"]
        columns += ["followup", "nested_count"]
        quoted = ", ".join(connection.ops.quote_name(col) for col in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({quoted}) "  # noqa: S608
                f"VALUES ({placeholders})",
                rows,
            )
    return poll, spec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=benchlib.PG_DEFAULT)
    parser.add_argument("--ns", default="10,100,1000,5000")
    parser.add_argument("--max-depth", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="xtd-bench-") as tmp:
        configure(args.db, args.pg_url, tmp, args.max_depth)
        from django.contrib.auth import get_user_model

        User = get_user_model()
        users = User.objects.bulk_create(
            User(username=f"member{i}", email=f"member{i}@example.com", password="!")
            for i in range(threadspec.USER_POOL)
        )
        for n in [int(x) for x in args.ns.split(",")]:
            seed(n, args.max_depth, args.seed, users)

        def count(body: str) -> dict:
            return {
                "shown": body.count('<div id="c'),
                "tombstones": body.count("This comment has been removed."),
            }

        benchlib.serve(lambda n, mode: benchlib.Mode(f"/polls/bench-{n}/", count=count))
        from django.db import connection

        connection.close()


if __name__ == "__main__":
    main()
