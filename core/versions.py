"""One cache version per poll: every cached copy of what a poll's readers see is keyed on it.

The version has two parts, read together in one cache round trip:

* ``content``: what every reader of the poll sees (question, intro, choices, schedule,
  the discussion);
* ``results``: the counts.

A vote changes only the results part, so a page that shows no counts (a reader who has not
voted yet, when results appear after voting) stays cached through a stream of votes. Keys
of anything that shows counts derive from both parts (``PollVersion.both``).

Parts are random tokens kept in Django's cache (one Redis for every app server in
production), not counters: a token lost from the cache (evicted, Redis restarted) comes back
as a new one, never as an old value that stale copies were stored under. Nothing here is a
database row, so voters never queue on one.

Writers call ``content_changed``/``results_changed`` in the transaction of their write; the
token is replaced when that transaction commits. Readers read the version *before* they
read the rows they render, so a copy rendered from rows older than a write was stored under
a token that the write's commit replaces, and is never served again; a copy rendered from
rows newer than its token is only fresher than it needs to be. The token is also replaced
at once, so the rest of the writing request sees its own change before the commit (a reader
between the two replacements stores old rows under a token the commit then retires).

A cache that is down behaves as an empty one (core.cache): every read is a miss, nothing
stale is served, pages are rendered from the database.
"""

import secrets
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from core.cache import cache

_CONTENT = "content"
_RESULTS = "results"


@dataclass(frozen=True)
class PollVersion:
    content: str
    results: str

    @property
    def both(self) -> str:
        return f"{self.content}.{self.results}"


def _key(poll_id: int, part: str) -> str:
    return f"poll-version:{poll_id}:{part}"


def _new_token() -> str:
    return secrets.token_hex(6)


def read_many(poll_ids: list[int]) -> dict[int, PollVersion]:
    """The current version of each poll, in one cache round trip (missing parts created)."""
    keys = [_key(pk, part) for pk in poll_ids for part in (_CONTENT, _RESULTS)]
    found = cache.get_many(keys)
    missing = {key: _new_token() for key in keys if key not in found}
    if missing:
        # Another reader may create the same part at the same moment: whoever adds first
        # wins, and the others use what is stored (or their own token if the cache is down).
        for key, token in missing.items():
            if not cache.add(key, token, timeout=None):
                missing[key] = cache.get(key) or token
        found.update(missing)
    return {
        pk: PollVersion(content=found[_key(pk, _CONTENT)], results=found[_key(pk, _RESULTS)])
        for pk in poll_ids
    }


def read(poll_id: int) -> PollVersion:
    return read_many([poll_id])[poll_id]


def _replace(key: str) -> None:
    cache.set(key, _new_token(), timeout=None)


def _changed(poll_id: int, part: str) -> None:
    replace = partial(_replace, _key(poll_id, part))
    if transaction.get_connection().in_atomic_block:
        replace()
    transaction.on_commit(replace)  # outside a transaction: at once


def content_changed(*, poll_id: int) -> None:
    """Something every reader of the poll sees has changed (or will, once this commits)."""
    _changed(poll_id, _CONTENT)


def results_changed(*, poll_id: int) -> None:
    """The poll's counts have changed: copies that show counts are stale."""
    _changed(poll_id, _RESULTS)
