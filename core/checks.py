"""System checks for running socialpoll in production (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    """Rate limits and the cached pages and threads must agree across worker processes."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Warning(
            "The default cache is process-local, so each worker process keeps its own "
            "rate-limit counters and its own copies of poll pages and comment threads: a "
            "vote or comment handled by one worker is not seen by another's cached page.",
            hint="Set REDIS_URL (one Redis shared by every app server and worker).",
            id="socialpoll.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_fetch_loopback(app_configs, **kwargs) -> list[Warning]:
    """Fetching strangers' URLs (core/fetch.py) must never reach the server itself."""
    if not settings.SOCIALPOLL_FETCH_ALLOW_LOOPBACK:
        return []
    return [
        Warning(
            "SOCIALPOLL_FETCH_ALLOW_LOOPBACK is on: a commenter's website such as "
            "http://127.0.0.1:6379/ makes this server fetch from itself.",
            hint="Unset SOCIALPOLL_FETCH_ALLOW_LOOPBACK (it is for tests and local development).",
            id="socialpoll.W002",
        )
    ]
