"""The poll page as most readers get it, cached whole: one decorator around the poll view.

Most requests for a poll page come from readers who would all get the same bytes: no
account, no session, no pending message, no query string, no cookie that makes the page
their own (core/perrequest.py), and no ballot in this poll. For them the page is rendered
once, stored with its per-request values (CSRF token, CSP nonce, fresh form values) marked,
and served to the next such reader with values of their own put back in: a cache read and
no template render.

A stored page is served only while

* the content part of the poll's version (core/versions.py) is the one read *before* the
  page was rendered;
* the poll is still in the state (scheduled, open, closed) it was rendered in, so opening
  and closing times apply on time;
* and for at most POLLS_PAGE_CACHE_SECONDS (what no version sees: a deploy's new
  templates).

Votes change only the counts, so a page that shows them is stored with its results block
(polls/_results.html) cut out, and the block for the current results version is put back
in each time it is served: rendered once per vote, by the same template, from the counts
cached under that version. So the page is served from the cache while votes pour in.

Each worker also keeps the pages and results blocks it served in its own memory, to skip
reading them from Redis; a copy is used only if the shared version read for this request
says it is current, so it is never served after a write anywhere.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial, wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from core import perrequest, versions
from core.cache import cache
from core.locallru import LocalLRU
from core.versions import PollVersion
from polls.models import Ballot, Poll
from polls.results import poll_results
from polls.voters import voter_for_request

# Markers cannot occur in a rendered page: user text is escaped ("<" is "&lt;") and
# sanitised HTML has its comments stripped by nh3.
_CSRF_MARK = b"<!--socialpoll:csrf-->"
_NONCE_MARK = b"<!--socialpoll:nonce-->"
_FRESH_MARK = b"<!--socialpoll:fresh:%s-->"
_RESULTS_MARK = b"<!--socialpoll:results-->"
_MARKS = re.compile(rb"(<!--socialpoll:(?:csrf|nonce|results|fresh:[\w.-]+)-->)")
_RESULTS_BLOCK = re.compile(rb'<section id="poll-results".*?</section>', re.S)
_CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_FRESH_INPUT = re.compile(rb'<input type="hidden"[^>]*?value="([^"]*)"[^>]*?data-fresh="([\w.-]+)"')
_MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name


@dataclass(frozen=True)
class StoredPage:
    poll: Poll  # as rendered: what its results block needs (slug, choice limit)
    content: str  # the content part of the version it was rendered under
    opens_at: datetime | None
    closes_at: datetime | None
    state: str
    parts: tuple[bytes, ...]  # the page split around its markers, markers included
    expires: float  # time.time() after which it is not served

    @property
    def poll_id(self) -> int:
        return self.poll.pk

    def is_current(self, version: PollVersion) -> bool:
        return (
            version.content == self.content
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


def _has_voted(request: HttpRequest, poll: Poll) -> bool:
    """Has this reader voted in the poll's round as stored (a new round changes the content
    version, so the stored page's round is the current one)?"""
    voter = voter_for_request(request)
    return (
        not voter.is_new
        and Ballot.objects.filter(
            poll_id=poll.pk, voter_key=voter.key, round=poll.current_round
        ).exists()
    )


# --- this worker's copies (pages by slug, results blocks by version) -----------------------
_local = LocalLRU(64)


def clear_local() -> None:
    """Forget this worker's copies (a cold start, as tests and benchmarks want)."""
    _local.clear()


def _lookup(key: str, version_of: Callable[[int], PollVersion]) -> tuple[StoredPage | None, bool]:
    """(the stored page, whether it is current), this worker's copy first."""
    stored = _local.get(key)
    if stored is not None and stored.is_current(version_of(stored.poll_id)):
        return stored, True
    shared = cache.get(key)
    if shared is not None and shared != stored and shared.is_current(version_of(shared.poll_id)):
        _local.set(key, shared)
        return shared, True
    return shared or stored, False


# --- serving and storing ---------------------------------------------------------------------
def _results_block(stored: StoredPage, version: PollVersion) -> bytes:
    """The page's results block for the current counts: rendered once per results version."""
    key = f"polls:results-block:{stored.poll_id}:{version.both}:{stored.state}"
    block = _local.get(key)
    if block is None:
        context = {
            "poll": stored.poll,
            "results": poll_results(stored.poll, version),
            "live_results": stored.state == "open",
            "refresh_seconds": settings.POLLS_RESULTS_REFRESH_SECONDS,
        }
        block = render_to_string("polls/_results.html", context).strip().encode()
        _local.set(key, block)
    return block


def _serve(stored: StoredPage, version: PollVersion, request: HttpRequest) -> HttpResponse:
    values: dict[bytes, bytes] = {}
    for part in stored.parts:
        if part == _RESULTS_MARK:
            values[part] = _results_block(stored, version)
        elif part == _CSRF_MARK:
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
    if context.get("show_results"):
        page = _RESULTS_BLOCK.sub(_RESULTS_MARK, page, count=1)
    stored = StoredPage(
        poll=poll,
        content=version.content,
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        state=poll.state,
        parts=tuple(part for part in _MARKS.split(page) if part),
        expires=time.time() + settings.POLLS_PAGE_CACHE_SECONDS,
    )
    cache.set(key, stored, settings.POLLS_PAGE_CACHE_SECONDS)
    _local.set(key, stored)


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
        if current and not _has_voted(request, stored.poll):
            return _serve(stored, version_of(stored.poll_id), request)
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
