"""The rendered thread, cached per poll and page; every write to a poll's comments bumps a
version so no server shows a stale thread (the cache is shared through Redis in production)."""

from functools import partial

from django.conf import settings
from django.core.cache import cache

from socialpoll import cacheversions


def version_key(poll_id: int) -> str:
    """The cache key holding this poll's thread version (read with others in one go)."""
    return f"comments:thread-version:{poll_id}"


def thread_version(*, poll_id: int) -> str:
    return cacheversions.read(version_key(poll_id))[0]


def invalidate(*, poll_id: int) -> None:
    """Make every cached copy of this poll's thread stale, and the poll page holding it."""
    from polls import pagecache  # the poll page holds the thread (imported late: it imports us)

    cacheversions.replace_after_write(
        version_key(poll_id), also=partial(pagecache.forget_local, poll_id)
    )


def thread_get(key: str):
    return cache.get(key)


def thread_set(key: str, value) -> None:
    cache.set(key, value, timeout=settings.COMMENTS_CACHE_TIMEOUT)
