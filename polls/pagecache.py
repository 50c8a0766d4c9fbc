"""The poll page as most readers get it, cached whole.

Most requests for a poll page come from a reader with no account, no session and no ballot
in this poll yet. For all of them the page is the same bytes but for three per-request
values: the CSRF form token, the CSP nonce and the comment form's "served at" token. Such a
page is rendered once, stored with those three values replaced by markers, and served to
the next such reader with fresh values put back: one read of two small versions from the
shared cache (the page itself is also kept in the worker's memory) and no query, instead of
four queries and a template render.

A stored page is served only while two versions, both kept in Django's cache (so every app
server sees them through Redis), are what they were when it was rendered:

* the poll's page version, which ``invalidate()`` replaces now and again after commit: on
  every save or delete of a poll or a choice (signals, wired in apps.py: edits, publishing,
  opening, closing, the admin) and with every ``results_version`` bump in services.py
  (votes, vote changes, repaired counters);
* the comment thread's version (comments/cache.py: every post and moderation action).

It is also dropped when the poll's state (scheduled, open, closed) is no longer the one it
was rendered in, so opening and closing times take effect on time. What no version sees (a
deploy with new templates, the author renaming their account) lasts at most
``POLLS_PAGE_CACHE_SECONDS``.

Everyone else gets the page rendered for them: a signed-in user, a request with a session
cookie or a pending message, a reader whose ballot is in this poll, an htmx request and any
URL with a query string (another page of comments, a reply form).
"""

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from comments import cache as thread_cache
from comments.forms import form_token
from polls.conf import poll_setting
from polls.models import Ballot, Poll
from polls.voters import Voter
from socialpoll import cacheversions

# Markers cannot occur in a rendered page: user text is escaped ("<" is "&lt;") and
# sanitised HTML has its comments stripped by nh3.
CSRF_MARK = b"<!--socialpoll:csrf-->"
NONCE_MARK = b"<!--socialpoll:nonce-->"
SERVED_MARK = b"<!--socialpoll:served-->"

_MARKS = re.compile(b"(" + b"|".join(map(re.escape, (CSRF_MARK, NONCE_MARK, SERVED_MARK))) + b")")
_CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_SERVED_VALUE = re.compile(rb'name="served" value="([^"]+)"')
_MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name


def _version_key(poll_id: int) -> str:
    return f"polls:page-version:{poll_id}"


def _page_key(slug: str) -> str:
    return f"polls:page:{slug}"


def invalidate(*, poll_id: int) -> None:
    """Stop serving the stored page of this poll, here and on every server."""
    cacheversions.replace_after_write(_version_key(poll_id), also=partial(forget_local, poll_id))


def invalidate_on_save(sender, instance, **kwargs) -> None:
    """post_save/post_delete receiver for Poll and Choice (connected in apps.py)."""
    poll_id = instance.pk if sender is Poll else instance.poll_id
    if poll_id is not None:
        invalidate(poll_id=poll_id)


def _versions(poll_id: int) -> tuple[str, str]:
    """(page version, thread version) of this poll, in one cache round trip."""
    return cacheversions.read(_version_key(poll_id), thread_cache.version_key(poll_id))


@dataclass(frozen=True)
class StoredPage:
    poll_id: int
    versions: tuple[str, str]
    opens_at: datetime | None
    closes_at: datetime | None
    state: str
    parts: tuple[bytes, ...]  # the page split around its markers, markers included
    expires: float  # time.time() after which it is not served (POLLS_PAGE_CACHE_SECONDS)


# Each worker also keeps the pages it has served in its own memory, and re-reads the
# shared versions for such a copy at most once per POLLS_PAGE_RECHECK_SECONDS: a page a
# write elsewhere made stale is served by the other workers for at most that long (one
# second by default: as if the reader had come a second earlier). Writes in this worker
# drop its copies at once (forget_local), so tests and a single-process server see every
# write on the next load. At most this many pages per process:
_LOCAL_PAGES = 32
_local: OrderedDict[str, tuple[StoredPage, float]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> tuple[StoredPage, float] | None:
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def _local_set(key: str, stored: StoredPage | None) -> None:
    with _local_lock:
        if stored is None:
            _local.pop(key, None)
            return
        _local[key] = (stored, time.monotonic())
        _local.move_to_end(key)
        while len(_local) > _LOCAL_PAGES:
            _local.popitem(last=False)


def clear_local() -> None:
    """Drop every page this worker holds (with cache.clear(): a cold start, as in tests)."""
    with _local_lock:
        _local.clear()


def forget_local(poll_id: int) -> None:
    """Drop this worker's copies of a poll's page (after a write made here)."""
    with _local_lock:
        for key in [key for key, (stored, _) in _local.items() if stored.poll_id == poll_id]:
            del _local[key]


def _fresh_enough(entry: tuple[StoredPage, float] | None) -> bool:
    """A local copy whose versions were read less than POLLS_PAGE_RECHECK_SECONDS ago."""
    if entry is None:
        return False
    stored, checked_at = entry
    recheck = poll_setting("POLLS_PAGE_RECHECK_SECONDS")
    return time.monotonic() - checked_at < recheck and _timely(stored)


def _timely(stored: StoredPage) -> bool:
    return stored.expires > time.time() and (
        Poll.state_of(Poll.Status.PUBLISHED, stored.opens_at, stored.closes_at) == stored.state
    )


def _current(stored: StoredPage | None) -> bool:
    return stored is not None and _timely(stored) and _versions(stored.poll_id) == stored.versions


def shareable(request: HttpRequest) -> bool:
    """Could this request get the page every anonymous first-time reader gets?"""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and "HTTP_HX_REQUEST" not in request.META
        and not cookies.get(settings.SESSION_COOKIE_NAME)
        and not cookies.get(_MESSAGES_COOKIE)
        and poll_setting("POLLS_PAGE_CACHE_SECONDS") > 0
    )


def cached_response(request: HttpRequest, slug: str, voter: Voter) -> HttpResponse | None:
    """The stored page with this request's own tokens, if it is current and this reader
    may have it (call only when ``shareable(request)``)."""
    key = _page_key(slug)
    entry = _local_get(key)
    if _fresh_enough(entry):
        stored = entry[0]
    else:
        stored = entry[0] if entry is not None else None
        if not _current(stored):
            stored = cache.get(key)  # another worker (or server) may have stored a newer one
            if not _current(stored):
                _local_set(key, None)
                return None
        _local_set(key, stored)  # versions just read: fresh for the next second
    if (
        not voter.is_new
        and Ballot.objects.filter(poll_id=stored.poll_id, voter_key=voter.key).exists()
    ):
        return None  # a voter's page shows their ballot
    # Bytes, not text: the values put in are ASCII, and re-encoding a page of comments
    # would cost more than everything else here. One join copies the page once.
    values = {}
    if CSRF_MARK in stored.parts:
        values[CSRF_MARK] = get_token(request).encode()
    if NONCE_MARK in stored.parts:
        values[NONCE_MARK] = str(request.csp_nonce).encode()
    if SERVED_MARK in stored.parts:
        values[SERVED_MARK] = form_token().encode()
    return HttpResponse(b"".join([values.get(part, part) for part in stored.parts]))


def versions_for_store(poll: Poll) -> tuple[str, str]:
    """Read before the page's data: a write after this makes the stored page stale."""
    return _versions(poll.pk)


def store(request: HttpRequest, slug: str, poll: Poll, versions: tuple[str, str], response) -> None:
    """Keep a just-rendered shared page, with its per-request values marked."""
    if response.status_code != 200 or response.charset.lower() != "utf-8":
        return
    page = response.content
    for value in set(_CSRF_VALUE.findall(page)):
        page = page.replace(value, CSRF_MARK)
    for value in set(_SERVED_VALUE.findall(page)):
        page = page.replace(value, SERVED_MARK)
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        page = page.replace(nonce.encode(), NONCE_MARK)
    stored = StoredPage(
        poll_id=poll.pk,
        versions=versions,
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        state=poll.state,
        parts=tuple(part for part in _MARKS.split(page) if part),
        expires=time.time() + poll_setting("POLLS_PAGE_CACHE_SECONDS"),
    )
    cache.set(_page_key(slug), stored, poll_setting("POLLS_PAGE_CACHE_SECONDS"))
    _local_set(_page_key(slug), stored)
