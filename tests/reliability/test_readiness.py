"""Liveness and readiness for load balancers (issue 12.12).

``/health/`` says the process answers; it touches nothing else, so it stays 200 while the
database is down (restarting the process would not help). ``/ready/`` says whether this
server can serve readers: 503 with Retry-After while the database is down, so a load
balancer sends traffic elsewhere; the cache is reported but never fails it (a site without
its cache is slower, not broken, and one shared Redis down must not take every server out).
"""

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tests.processes import UNREACHABLE_DATABASES, run_python
from tests.reliability.test_cache_faults import BREAKING, NOBODY_LISTENS, Broken
from tests.reliability.test_database_faults import FailOn

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def probe(path: str):
    return Client(raise_request_exception=False).get(path)


def test_ready_says_ok_when_the_database_and_the_cache_answer():
    response = probe("/ready/")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_ready_answers_503_with_retry_after_while_the_database_is_down():
    with connection.execute_wrapper(FailOn("select")):
        ready = probe("/ready/")
        alive = probe("/health/")
    assert ready.status_code == 503
    assert int(ready["Retry-After"]) > 0
    assert json.loads(ready.content)["database"] == "unavailable"
    assert alive.status_code == 200  # the process itself is fine: do not restart it
    assert probe("/ready/").status_code == 200  # and ready again once the database is back


@pytest.fixture
def cache_config(settings):
    def use(config: dict) -> None:
        cache.close()
        settings.CACHES = {"default": config}

    yield use
    Broken.now = False
    cache.close()


@pytest.mark.parametrize(
    "config",
    [
        {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": NOBODY_LISTENS},
        BREAKING["anything-breaks"],
    ],
    ids=["redis-unreachable", "anything-breaks"],
)
def test_ready_reports_a_broken_cache_but_stays_200(cache_config, config):
    cache_config(config)
    Broken.now = True
    response = probe("/ready/")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "cache": "unavailable"}
    assert probe("/health/").status_code == 200


PROBES = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "socialpoll.settings"
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
for path in ["/health/", "/ready/"]:
    r = client.get(path)
    print(path, r.status_code, r.headers.get("Retry-After"), r.content.decode())
"""


@UNREACHABLE_DATABASES
def test_a_server_started_without_its_database_is_alive_but_not_ready(database_url):
    result = run_python(PROBES, forget=("DJANGO_", "REDIS_URL"), DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "/health/ 200 None ok",
        '/ready/ 503 10 {"database": "unavailable", "cache": "ok"}',
    ]
