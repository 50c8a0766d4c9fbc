"""Helpers shared by the benchmark scripts; imported from both virtualenvs (Django 5.2 in each)."""

import os
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


class Mode:
    """One way of rendering a page: the URL, untimed preparation, settings to apply.

    count_queries: also count the SQL queries of every timed render (a database execute
    wrapper: one function call per query), so the orchestrator can check that a render
    meant to be uncached really went to the database each time."""

    def __init__(
        self,
        url: str,
        *,
        prepare=None,
        settings: dict | None = None,
        count=None,
        count_queries: bool = False,
    ):
        self.url = url
        self.prepare = prepare or (lambda: None)
        self.settings = settings or {}
        self.count = count or (lambda body: {})
        self.count_queries = count_queries


class QueryCounter:
    """A database execute wrapper that only counts the queries going through it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def serve(modes) -> None:
    """Answer the orchestrator's commands on stdin, one JSON line each on stdout:

        queries <n> <mode>   render once (after one warm-up) counting SQL queries
        time <n> <mode>      render once, timed (preparation untimed); with the mode's
                             count_queries, its SQL queries counted too
        quit

    `modes(n, mode)` returns a Mode. Running both sides as servers lets the orchestrator
    interleave their renders, so a burst of load on the shared machine hits both alike."""
    import contextlib
    import json
    import sys

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    print("READY", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        command, n, name = parts[0], int(parts[1]), parts[2]
        mode = modes(n, name)
        with override_settings(**mode.settings):
            if command == "queries":
                mode.prepare()
                warm = client.get(mode.url)
                if warm.status_code != 200:
                    raise RuntimeError(f"GET {mode.url} answered {warm.status_code}")
                mode.prepare()
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(mode.url)
                # Read the log now: the next request's request_started signal empties it.
                sql = [query["sql"] for query in captured.captured_queries]
                body = response.content.decode()
                result = {"queries": len(sql), "sql": sql, "bytes": len(body)}
                result.update(mode.count(body))
            else:
                mode.prepare()
                counter = QueryCounter()
                wrapper = (
                    connection.execute_wrapper(counter)
                    if mode.count_queries
                    else contextlib.nullcontext()
                )
                with wrapper:
                    started = time.perf_counter()
                    client.get(mode.url)
                    elapsed = time.perf_counter() - started
                result = {"ms": elapsed * 1000}
                if mode.count_queries:
                    result["queries"] = counter.count
        print(json.dumps(result), flush=True)


class Side:
    """A benchmark side running as a child process that speaks the serve() protocol."""

    def __init__(self, cmd: list[str], cwd: str):
        import subprocess

        self.cmd = cmd
        self.process = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for line in self.process.stdout:
            if line.strip() == "READY":
                return
        raise RuntimeError(f"benchmark side did not start: {' '.join(cmd)}")

    def ask(self, command: str, n: int, mode: str) -> dict:
        import json

        self.process.stdin.write(f"{command} {n} {mode}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark side died: {' '.join(self.cmd)}")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
        self.process.wait(timeout=120)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "yes", "true"}


def stop_group(process) -> None:
    """Stop a server started in a process group of its own (start_new_session=True):
    SIGTERM to the group, SIGKILL after 15 s if it is still there."""
    import signal
    import subprocess

    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
