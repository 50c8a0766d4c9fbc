"""Helpers shared by the benchmark scripts; imported from both virtualenvs (Django 5.2 in each)."""

import os
import statistics
import time
from urllib.parse import urlsplit

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/h_bench"


def pg_params(url: str) -> dict:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or "",
        "dbname": parts.path.lstrip("/"),
    }


def pg_recreate(url: str) -> None:
    """Drop and create the database named in url (a benchmark's own, never a shared one)."""
    import psycopg2

    params = pg_params(url)
    name = params.pop("dbname")
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def pg_drop(url: str) -> None:
    import psycopg2

    params = pg_params(url)
    name = params.pop("dbname")
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def pg_available(url: str) -> bool:
    try:
        import psycopg2

        params = pg_params(url)
        params.pop("dbname")
        psycopg2.connect(dbname="postgres", connect_timeout=3, **params).close()
    except Exception:
        return False
    return True


def measure_page(client, url: str, *, before=None, budget_s: float = 2.0) -> dict:
    """Median time of GET url over at least 3 and at most 15 renders (after one warm-up),
    and the SQL queries of one render. `before` runs ahead of every render, untimed
    (e.g. clearing the cache to measure a cold page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if before:
        before()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    if before:
        before()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Read the log now: the next request's request_started signal empties it.
    queries = [query["sql"] for query in captured.captured_queries]
    body = response.content.decode()
    timings: list[float] = []
    started = time.perf_counter()
    while len(timings) < 3 or (len(timings) < 15 and time.perf_counter() - started < budget_s):
        if before:
            before()
        t0 = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
    return {
        "queries": len(queries),
        "sql": queries,
        "median_ms": statistics.median(timings),
        "runs": len(timings),
        "bytes": len(body),
        "body": body,
    }


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "yes", "true"}
