"""Version tokens in Django's cache: what the thread and poll-page caches are keyed on.

A version is a random token under a fixed key. Readers put the versions they saw in what
they store; a writer replaces the token, so everything stored under the old one is never
served again, on every server that shares the cache.
"""

import secrets
from collections.abc import Callable
from functools import partial

from django.core.cache import cache
from django.db import transaction


def read(*keys: str) -> tuple[str, ...]:
    """The current token under each key (one cache round trip), created where missing."""
    found = cache.get_many(keys)
    versions = []
    for key in keys:
        version = found.get(key)
        if version is None:
            version = secrets.token_hex(6)
            if not cache.add(key, version, timeout=None):
                version = cache.get(key) or version
        versions.append(version)
    return tuple(versions)


def replace(key: str) -> None:
    cache.set(key, secrets.token_hex(6), timeout=None)


def replace_after_write(key: str, *, also: Callable[[], None] | None = None) -> None:
    """Replace the token now and again after commit: a reader between the write and the
    commit could otherwise store what it read before the write under the new token. Outside
    a transaction, once. ``also`` runs at the same moments."""
    steps = [partial(replace, key)] + ([also] if also else [])
    if transaction.get_connection().in_atomic_block:
        for step in steps:
            step()
    for step in steps:
        transaction.on_commit(step)  # outside a transaction: at once
