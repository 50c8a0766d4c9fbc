"""gunicorn in production: `.venv/bin/gunicorn -c socialpoll/gunicorn.conf.py socialpoll.wsgi`.

Threaded workers (gthread). A sync worker reads a request in the one thread it has, so a
client that sends half a request and stops holds the whole worker until it finishes: with
3 sync workers, 3 such connections left /health/ without an answer (issue 12.13). A
gthread worker reads each request in one of its threads, so a half-sent request holds one
thread and the worker's other threads go on serving. That bounds the damage, it does not
remove it: a half-sent request holds its thread until the client finishes or goes away
(gunicorn sets no read timeout), and a connection that sends nothing holds one for up to 5
seconds before gunicorn parks it. Enough of them (workers x threads) still stall the server,
which is why production runs behind a proxy that reads whole requests before passing them
on (docs/operations.md, "Slow clients"). bench/slowclients.py measures both.

Every thread keeps its own database connection for DJANGO_CONN_MAX_AGE seconds: one app
server holds up to workers x threads PostgreSQL connections (12 with these settings).

gunicorn's own variables adjust this file without editing it: WEB_CONCURRENCY sets the
number of workers, GUNICORN_CMD_ARGS any other setting (e.g. "--bind 0.0.0.0:8000").
"""

import os

bind = "127.0.0.1:8000"
workers = int(os.environ.get("WEB_CONCURRENCY") or 3)
worker_class = "gthread"
threads = 4
