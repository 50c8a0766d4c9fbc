"""The rendered thread, cached per poll and page; every write to a poll's comments bumps a
version so no server shows a stale thread (the cache is shared through Redis in production)."""

import secrets
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction


def version_key(poll_id: int) -> str:
    """The cache key holding this poll's thread version (read with others in one go)."""
    return f"comments:thread-version:{poll_id}"


def thread_version(*, poll_id: int) -> str:
    key = version_key(poll_id)
    version = cache.get(key)
    if version is None:
        version = secrets.token_hex(6)
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


def _bump(poll_id: int) -> None:
    cache.set(version_key(poll_id), secrets.token_hex(6), timeout=None)


def invalidate(*, poll_id: int) -> None:
    """Drop the cached thread now and again after commit (a reader between the write and
    the commit could otherwise cache the old thread)."""
    from polls import pagecache  # the poll page holds the thread (imported late: it imports us)

    _bump(poll_id)
    pagecache.forget_local(poll_id)
    transaction.on_commit(partial(_bump, poll_id))
    transaction.on_commit(partial(pagecache.forget_local, poll_id))


def thread_get(key: str):
    return cache.get(key)


def thread_set(key: str, value) -> None:
    cache.set(key, value, timeout=settings.COMMENTS_CACHE_TIMEOUT)
