"""The poll page as most readers get it, cached whole: one decorator around the poll view.

Most requests for a poll page come from readers who would all get the same bytes: no
account, no session, no pending message, no query string, no cookie that makes the page
their own (core/perrequest.py), and no ballot in this poll. For them the page is rendered
once, stored with its per-request values (CSRF token, CSP nonce, fresh form values) marked,
and served to the next such reader with values of their own put back in: a cache read and
no template render.

A stored page is served only while

* the poll's version (core/versions.py) is the one read *before* the page was rendered:
  its content part always, its results part too if the page showed results (so a stream of
  votes does not throw away a page that shows no counts);
* the poll is still in the state (scheduled, open, closed) it was rendered in, so opening
  and closing times apply on time;
* and for at most POLLS_PAGE_CACHE_SECONDS (what no version sees: a deploy's new
  templates).

Each worker also keeps the pages it served in its own memory, to skip reading a large
value from Redis; such a copy is checked against the shared version on every request, so it
is never served after a write anywhere.
"""

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from core import perrequest, versions
from core.versions import PollVersion
from polls.models import Ballot, Poll
from polls.voters import voter_for_request

# Markers cannot occur in a rendered page: user text is escaped ("<" is "&lt;") and
# sanitised HTML has its comments stripped by nh3.
_CSRF_MARK = b"<!--socialpoll:csrf-->"
_NONCE_MARK = b"<!--socialpoll:nonce-->"
_FRESH_MARK = b"<!--socialpoll:fresh:%s-->"
_MARKS = re.compile(rb"(<!--socialpoll:(?:csrf|nonce|fresh:[\w.-]+)-->)")
_CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_FRESH_INPUT = re.compile(rb'<input type="hidden"[^>]*?value="([^"]*)"[^>]*?data-fresh="([\w.-]+)"')
_MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name


@dataclass(frozen=True)
class StoredPage:
    poll_id: int
    content: str  # the version parts it was rendered under
    results: str | None  # None: the page showed no counts
    opens_at: datetime | None
    closes_at: datetime | None
    state: str
    parts: tuple[bytes, ...]  # the page split around its markers, markers included
    expires: float  # time.time() after which it is not served

    def is_current(self, version: PollVersion) -> bool:
        return (
            version.content == self.content
            and (self.results is None or version.results == self.results)
            and self.expires > time.time()
            and Poll.state_of(Poll.Status.PUBLISHED, self.opens_at, self.closes_at) == self.state
        )


def _shareable(request: HttpRequest) -> bool:
    """Could this request get the page every anonymous first-time reader gets?"""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.POLLS_PAGE_CACHE_SECONDS > 0
        and not request.META.get("QUERY_STRING")
        and "HTTP_HX_REQUEST" not in request.META
        and not cookies.get(settings.SESSION_COOKIE_NAME)
        and not cookies.get(_MESSAGES_COOKIE)
        and not perrequest.has_personal_cookie(request)
    )


def _has_voted(request: HttpRequest, poll_id: int) -> bool:
    voter = voter_for_request(request)
    return not voter.is_new and Ballot.objects.filter(poll_id=poll_id, voter_key=voter.key).exists()


# --- this worker's copies ------------------------------------------------------------------
_LOCAL_PAGES = 32
_local: OrderedDict[str, StoredPage] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> StoredPage | None:
    with _local_lock:
        stored = _local.get(key)
        if stored is not None:
            _local.move_to_end(key)
        return stored


def _local_set(key: str, stored: StoredPage) -> None:
    with _local_lock:
        _local[key] = stored
        _local.move_to_end(key)
        while len(_local) > _LOCAL_PAGES:
            _local.popitem(last=False)


def clear_local() -> None:
    """Forget this worker's copies (a cold start, as tests and benchmarks want)."""
    with _local_lock:
        _local.clear()


def _lookup(key: str, version_of: Callable[[int], PollVersion]) -> tuple[StoredPage | None, bool]:
    """(the stored page, whether it is current), this worker's copy first."""
    stored = _local_get(key)
    if stored is not None and stored.is_current(version_of(stored.poll_id)):
        return stored, True
    shared = cache.get(key)
    if shared is not None and shared != stored and shared.is_current(version_of(shared.poll_id)):
        _local_set(key, shared)
        return shared, True
    return shared or stored, False


# --- serving and storing ---------------------------------------------------------------------
def _serve(stored: StoredPage, request: HttpRequest) -> HttpResponse:
    values: dict[bytes, bytes] = {}
    for part in stored.parts:
        if part == _CSRF_MARK:
            values[part] = get_token(request).encode()
        elif part == _NONCE_MARK:
            values[part] = str(request.csp_nonce).encode()
        elif part.startswith(b"<!--socialpoll:fresh:"):
            name = part[len(b"<!--socialpoll:fresh:") : -3].decode()
            values[part] = (perrequest.make_fresh_value(name, request) or "").encode()
    # Bytes, not text: one join copies the page once.
    return HttpResponse(b"".join([values.get(part, part) for part in stored.parts]))


def _store(key: str, poll_id: int, version: PollVersion, request: HttpRequest, response) -> None:
    context = response.context_data or {}
    poll = context.get("poll")
    if (
        response.status_code != 200
        or response.charset.lower() != "utf-8"
        or not isinstance(poll, Poll)
        or poll.pk != poll_id
        or not poll.is_published
        or context.get("personal")
    ):
        return
    page = response.content
    for value in set(_CSRF_VALUE.findall(page)):
        page = page.replace(value, _CSRF_MARK)
    for value, name in set(_FRESH_INPUT.findall(page)):
        page = page.replace(b'value="%s"' % value, b'value="%s"' % (_FRESH_MARK % name))
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        page = page.replace(nonce.encode(), _NONCE_MARK)
    stored = StoredPage(
        poll_id=poll_id,
        content=version.content,
        results=version.results if context.get("show_results") else None,
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        state=poll.state,
        parts=tuple(part for part in _MARKS.split(page) if part),
        expires=time.time() + settings.POLLS_PAGE_CACHE_SECONDS,
    )
    cache.set(key, stored, settings.POLLS_PAGE_CACHE_SECONDS)
    _local_set(key, stored)


def cached_for_first_time_readers(view):
    """Serve the poll view's page from the cache to readers who all get the same bytes.

    The view must answer with a TemplateResponse whose context has ``poll``,
    ``show_results`` and, where the page is this reader's own, ``personal``.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        if not _shareable(request):
            return view(request, slug, *args, **kwargs)
        key = f"polls:page:{slug}"
        read_versions: dict[int, PollVersion] = {}

        def version_of(poll_id: int) -> PollVersion:
            if poll_id not in read_versions:
                read_versions[poll_id] = versions.read(poll_id)
            return read_versions[poll_id]

        stored, current = _lookup(key, version_of)
        if current and not _has_voted(request, stored.poll_id):
            return _serve(stored, request)
        poll_id = _poll_id(slug)
        if poll_id is None:
            return view(request, slug, *args, **kwargs)
        version = version_of(poll_id)  # before the view reads anything of the poll
        response = view(request, slug, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(partial(_store, key, poll_id, version, request))
        return response

    return wrapper


def _poll_id(slug: str) -> int | None:
    return Poll.objects.filter(slug=slug).values_list("pk", flat=True).first()
