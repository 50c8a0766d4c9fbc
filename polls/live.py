"""Live results: what htmx polls every few seconds, answered from the poll's version cache.

A room of 300 phones asks every 3 seconds "has anything changed?". The answer must cost no
database query when nothing has, so everything a refresh needs is kept in the cache under
the poll's version (core/versions.py):

* the poll's id by its slug (a slug never changes once the poll is created);
  each worker also keeps these two in its own memory (below);
* the poll row itself, under the ``content`` part of its version (every edit, close, open
  and reveal replaces that part, so a stale row is never used);
* the counts, under both parts (polls/results.py);
* whether a voter has voted (only "yes" is kept: a ballot is never taken back).

Each answer carries an ETag made of the version, the poll's state (a closing time passes
without any write) and who the answer was for (counts, the trainer's view, or none). A
browser sends it back in ``If-None-Match``; while the version and state are the same the
answer is ``304 Not Modified`` without reading anything else: the reader's copy is still
right, because what they may see only changes with a write (a vote, a reveal, an edit) or
with the state. A forged tag gains nothing: a 304 has no body.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.cache import patch_cache_control

from core import versions
from core.cache import cache
from core.locallru import LocalLRU
from core.versions import PollVersion
from polls.models import Ballot, Poll
from polls.voters import Voter

_SLUG_KEY = "polls:live:slug:{slug}"
_POLL_KEY = "polls:live:poll:{pk}:{content}"
_VOTED_KEY = "polls:live:voted:{pk}:{voter}"


@dataclass(frozen=True)
class LivePoll:
    poll: Poll
    version: PollVersion

    @property
    def state(self) -> str:
        return self.poll.state

    def etag(self, audience: str) -> str:
        return f'W/"live-{self.version.both}-{self.state}-{audience}"'

    def is_unchanged_for(self, request: HttpRequest) -> bool:
        """Whether the reader's copy (its If-None-Match) was made from this version and
        state: then it is still right for them, whoever they are."""
        sent = request.headers.get("If-None-Match", "")
        prefix = f'W/"live-{self.version.both}-{self.state}-'
        return any(tag.strip().startswith(prefix) for tag in sent.split(","))


# This worker's own copies: a slug's poll id (a slug never changes), and poll rows by the
# content part of their version. A row is used only when the version read from the shared
# cache for this request names it, so it is never used after a write anywhere; this saves
# two cache round trips per refresh, leaving one (the version).
_local = LocalLRU(512)


def _forget(key: str) -> None:
    _local.discard(key)
    cache.delete(key)


def _poll_id(slug: str) -> int | None:
    key = _SLUG_KEY.format(slug=slug)
    pk = _local.get(key) or cache.get(key)
    if pk is None:
        pk = Poll.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if pk is None:
            return None
        cache.set(key, pk, settings.POLLS_RESULTS_CACHE_SECONDS)
    _local.set(key, pk)
    return pk


def live_poll(slug: str, *, retry: bool = True) -> LivePoll | None:
    """The poll and its version, from the cache when its version is unchanged (no query);
    None when there is no poll with this slug."""
    pk = _poll_id(slug)
    if pk is None:
        return None
    version = versions.read(pk)  # before the row: see core/versions.py
    key = _POLL_KEY.format(pk=pk, content=version.content)
    poll = _local.get(key) or cache.get(key)
    if poll is None or poll.slug != slug:
        poll = Poll.objects.filter(pk=pk, slug=slug).first()
        if poll is None:  # deleted, and the slug perhaps taken again: look it up afresh
            _forget(_SLUG_KEY.format(slug=slug))
            return live_poll(slug, retry=False) if retry else None
        cache.set(key, poll, settings.POLLS_RESULTS_CACHE_SECONDS)
    _local.set(key, poll)
    return LivePoll(poll=poll, version=version)


def rendered(live: LivePoll, kind: str, render: Callable[[], str]) -> str:
    """A fragment that is the same for every reader of this version and state, rendered once
    per worker (a room of phones asks for the same bytes between two votes)."""
    key = f"polls:live:html:{live.poll.pk}:{live.version.both}:{live.state}:{kind}"
    html = _local.get(key)
    if html is None:
        html = render()
        _local.set(key, html)
    return html


def clear_local() -> None:
    """Forget this worker's copies (tests and benchmarks start cold)."""
    _local.clear()


def has_voted(*, poll: Poll, voter: Voter) -> bool:
    """Whether this voter has a ballot in this poll; a "yes" is kept in the cache."""
    if voter.is_new:
        return False
    key = _VOTED_KEY.format(pk=poll.pk, voter=voter.key)
    if cache.get(key):
        return True
    voted = Ballot.objects.filter(poll_id=poll.pk, voter_key=voter.key).exists()
    if voted:
        cache.set(key, True, settings.POLLS_RESULTS_CACHE_SECONDS)
    return voted


def conditional(response, live: LivePoll, audience: str):
    """Mark a live answer with its ETag; the browser asks again each time (no-cache)."""
    response["ETag"] = live.etag(audience)
    patch_cache_control(response, private=True, no_cache=True)
    return response
