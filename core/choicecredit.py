"""Who suggested a poll's choice, declared by the app that knows (polls never imports
comments): comments registers ``source(poll_id) -> {choice id: credit}`` from its
AppConfig.ready(), and the vote block shows each credit ("suggested by NAME") beside its
choice. A credit has ``name`` and ``url`` (empty when the source is no longer available).

The credits are cached under the content part of the poll's version (core/versions.py):
every write they depend on (a promotion, its undo, moderating the comment) changes it.
"""

from collections.abc import Callable

from core.cache import cache

_TIMEOUT = 60 * 60  # the key follows every write, so this only bounds what is kept
_sources: list[Callable[[int], dict]] = []


def credit_source(source: Callable[[int], dict]) -> None:
    if source not in _sources:
        _sources.append(source)


def credits_for(poll_id: int, *, content_version: str) -> dict:
    key = f"choice-credits:{poll_id}:{content_version}"
    credits = cache.get(key)
    if credits is None:
        credits = {}
        for source in _sources:
            credits.update(source(poll_id))
        cache.set(key, credits, _TIMEOUT)
    return credits
