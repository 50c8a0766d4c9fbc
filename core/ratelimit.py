"""Fixed-window rate limits kept in Django's cache, so every app server shares them via Redis.

A limit slows a flood from one address; it never bans it. With the cache down the counters
start again from nothing (core.cache), so limits let requests through: they fail open,
because a blip in Redis must not lock a workshop room out (docs/decisions.md).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from core.cache import cache


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    retry_after: int


def client_ip(request: HttpRequest) -> str:
    """The client's address; the proxy's X-Forwarded-For only when told to trust it."""
    if getattr(settings, "RATELIMIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _window(scope: str, key: str, window: int) -> tuple[str, int]:
    """The counter's cache key for this window, and the seconds until the window ends."""
    now = int(time.time())
    window_start = now - now % window
    return f"rl:{scope}:{key}:{window_start}", window_start + window - now


def ratelimit_peek(*, scope: str, key: str, limit: int, window: int) -> RateLimitResult:
    """Whether one more hit would be allowed, without counting one (for limits that count
    only failures, such as wrong passwords)."""
    cache_key, retry_after = _window(scope, key, window)
    count = cache.get(cache_key) or 0
    return RateLimitResult(allowed=count < limit, retry_after=retry_after)


def ratelimit_hit(*, scope: str, key: str, limit: int, window: int) -> RateLimitResult:
    """Count one hit for key in scope; allowed while the window holds at most `limit` hits."""
    cache_key, retry_after = _window(scope, key, window)
    try:
        count = cache.incr(cache_key)  # one round trip once the window has its counter
    except ValueError:  # the first hit of this window (or the counter was evicted)
        if cache.add(cache_key, 1, timeout=window + 5):
            count = 1
        else:  # another request made it first
            try:
                count = cache.incr(cache_key)
            except ValueError:
                count = 1
    return RateLimitResult(allowed=count <= limit, retry_after=retry_after)
