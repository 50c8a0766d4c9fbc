"""A cache that costs speed, never correctness, when it fails.

Everything socialpoll keeps in the cache can be rebuilt from the database: cached pages and
fragments, version tokens, rate-limit counters. So when Redis cannot be reached, this
backend behaves as an empty cache that forgets what it is given (``get`` misses, ``add``
succeeds, ``incr`` finds no key) instead of raising: pages are rendered from the database,
votes and comments are stored once, and rate limits let requests through (they fail open;
docs/decisions.md says why). The error is logged, at most once every few seconds.

After a failure the backend does not try Redis again for ``RETRY_SECONDS``, so a Redis
that hangs costs each request at most one socket timeout in that time, not one per call.
That pause is process-local on purpose: it only decides how soon to try again.

Our code reaches the cache through ``cache`` below (and templates through the
``{% cache %}`` tag of ``core/templatetags/safe_cache.py``), which gives the same promise
for any backend and any failure, not only Redis's connection errors: whatever a backend
raises (a bug, a value it cannot pickle, a failure nobody foresaw) is logged and treated as
a miss. A write that has committed is never turned into a 500 by the cache after it.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache as _default_cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("socialpoll.cache")
T = TypeVar("T")

RETRY_SECONDS = 5.0


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis object for every cache call, and building
    one (its table of response callbacks) costs more than the round trip to Redis. One
    client per connection pool is enough: redis-py clients are safe to share."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client

    # Django checks that the key exists, then increments it: two round trips for every rate
    # limit hit. The same rule in one, as a script Redis runs atomically.
    _INCR_EXISTING = (
        "if redis.call('exists', KEYS[1]) == 1 then "
        "return redis.call('incrby', KEYS[1], ARGV[1]) end return false"
    )

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        value = client.eval(self._INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient

    def _guard(self, operation: Callable[[], T], fallback: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            return fallback()
        try:
            return operation()
        except (RedisError, OSError) as error:
            if time.monotonic() >= self._down_until:
                logger.error("Cache unavailable, serving without it: %s", error)
            self._down_until = time.monotonic() + RETRY_SECONDS
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._guard(lambda: RedisCache.add(self, key, value, timeout, version), _true)

    def get(self, key, default=None, version=None) -> Any:
        return self._guard(lambda: RedisCache.get(self, key, default, version), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._guard(lambda: RedisCache.set(self, key, value, timeout, version), _none)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._guard(lambda: RedisCache.touch(self, key, timeout, version), _false)

    def delete(self, key, version=None) -> bool:
        return self._guard(lambda: RedisCache.delete(self, key, version), _false)

    def get_many(self, keys, version=None) -> dict:
        return self._guard(lambda: RedisCache.get_many(self, keys, version), dict)

    def has_key(self, key, version=None) -> bool:
        return self._guard(lambda: RedisCache.has_key(self, key, version), _false)

    def incr(self, key, delta=1, version=None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._guard(lambda: RedisCache.incr(self, key, delta, version), missing)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._guard(
            lambda: RedisCache.set_many(self, data, timeout, version), lambda: list(data)
        )

    def delete_many(self, keys, version=None) -> None:
        self._guard(lambda: RedisCache.delete_many(self, keys, version), _none)

    def clear(self) -> None:
        self._guard(lambda: RedisCache.clear(self), _none)


def _true() -> bool:
    return True


def _false() -> bool:
    return False


def _none() -> None:
    return None


_last_logged = 0.0


def _log_failure(operation: str, error: Exception) -> None:
    global _last_logged  # at most one line every RETRY_SECONDS per process, not one per call
    if time.monotonic() - _last_logged >= RETRY_SECONDS:
        _last_logged = time.monotonic()
        logger.error("Cache %s failed, serving without it: %r", operation, error)


class SafeCache:
    """Django's default cache, where any failure is a miss (the cache is a speed-up only)."""

    def _call(self, operation: str, fallback: Callable[[], T], *args, **kwargs) -> T:
        try:
            return getattr(_default_cache, operation)(*args, **kwargs)
        except Exception as error:  # any failure of a cache is a miss, whatever raised it
            _log_failure(operation, error)
            return fallback()

    def get(self, key, default=None, version=None) -> Any:
        return self._call("get", lambda: default, key, default, version=version)

    def get_many(self, keys, version=None) -> dict:
        return self._call("get_many", dict, keys, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call("add", _true, key, value, timeout, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._call("set", _none, key, value, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._call("set_many", lambda: list(data), data, timeout, version=version)

    def incr(self, key, delta=1, version=None) -> int:
        """ValueError when the key is missing, as Django's; a failure is a missing key."""
        try:
            return _default_cache.incr(key, delta, version=version)
        except ValueError:
            raise
        except Exception as error:  # as in _call
            _log_failure("incr", error)
            raise ValueError(f"Key '{key}' not found (the cache failed).") from None

    def delete(self, key, version=None) -> bool:
        return self._call("delete", _false, key, version=version)

    def clear(self) -> None:
        self._call("clear", _none)


cache = SafeCache()
