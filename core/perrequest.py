"""What makes a page one reader's own, declared by the app that knows it.

The poll page is cached whole for readers who would all get the same bytes
(polls/pagecache.py). Whether a request is such a reader, and which values in the page must
be fresh for each request, is known by the app that renders that part of the page (the
discussion belongs to comments), and polls never imports comments. So apps declare it
here, in their AppConfig.ready():

* ``personal_cookie(name)``: a cookie that changes what a page shows its reader (a
  commenter's remembered name, their comments awaiting moderation): such requests are
  rendered for the reader, never served a shared copy;
* ``fresh_value(name, make)``: a hidden form value that must be new in every response
  (a signed "form served at" token). It is rendered as
  ``<input type="hidden" … value="…" data-fresh="name">``; a cached page has the value
  replaced by ``make(request)`` each time it is served.
"""

from collections.abc import Callable

from django.http import HttpRequest

_personal_cookies: set[str] = set()
_fresh_values: dict[str, Callable[[HttpRequest], str]] = {}


def personal_cookie(name: str) -> None:
    _personal_cookies.add(name)


def fresh_value(name: str, make: Callable[[HttpRequest], str]) -> None:
    _fresh_values[name] = make


def has_personal_cookie(request: HttpRequest) -> bool:
    return any(request.COOKIES.get(name) for name in _personal_cookies)


def make_fresh_value(name: str, request: HttpRequest) -> str | None:
    make = _fresh_values.get(name)
    return make(request) if make is not None else None
