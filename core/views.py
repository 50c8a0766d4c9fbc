"""Liveness and readiness for load balancers and orchestrators."""

import json
import logging
import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("socialpoll.health")


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else (the HTTP benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as error:
        logger.warning("Readiness: database unavailable: %s", error)
        return False


def _cache_ok() -> bool:
    key, token = "readiness-probe", secrets.token_hex(4)
    cache.set(key, token, timeout=30)
    return cache.get(key) == token


@never_cache
@require_safe
def ready(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when this server can serve readers, 503 when the database is down.

    The cache is checked and reported, but a cache that is down does not take the server
    out of rotation: every page still works without it (only slower), and with one Redis
    shared by all servers, failing here would take every server out at once.
    """
    database, cache_ok = _database_ok(), _cache_ok()
    body = json.dumps(
        {
            "database": "ok" if database else "unavailable",
            "cache": "ok" if cache_ok else "unavailable",
        }
    )
    response = HttpResponse(body, content_type="application/json", status=200 if database else 503)
    if not database:
        response["Retry-After"] = "10"
    return response
