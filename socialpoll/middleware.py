"""Project middleware: a friendly 503 when the database is unreachable, and pages that no
shared cache may keep."""

import logging
import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import has_vary_header, patch_cache_control

logger = logging.getLogger("socialpoll.db")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_FLAG = "_socialpoll_database_unavailable"


def database_unavailable_response() -> HttpResponse:
    """The 503 page; rendered without the request so that nothing touches the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception, dispatch_uid="socialpoll.database_unavailable")
def _flag_database_error(sender, request: HttpRequest | None = None, **kwargs) -> None:
    # Errors raised inside other middleware (a session save, say) never reach
    # process_exception; Django turns them into a 500 and sends this signal from inside
    # its except block, so the error is still in sys.exc_info().
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        setattr(request, _FLAG, True)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when the database is down or the connection broke.

    Transactions (ballot_cast, comment posting) roll back on the error, so nothing
    half-written stays behind; Django closes the broken connection at the end of the
    request and the next request opens a fresh one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _FLAG, False) and response.status_code == 500:
            return database_unavailable_response()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning(
                "Database unavailable on %s %s: %s", request.method, request.path, exception
            )
            return database_unavailable_response()
        return None


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-cache`` on every page that is one reader's own.

    Every HTML page carries a per-response CSP nonce, and most a CSRF token (the poll page
    also a comment-form token bound to the reader's cookie); other responses may set a
    cookie or depend on one (a trainer's CSV). A shared cache that stored any of them would
    hand one reader's tokens or data to the next, so they are ``private``; ``no-cache``
    makes the browser ask again before reusing its own copy (live results, one-time form
    tokens). Responses that say how to cache themselves (static files, ``never_cache``
    views such as login and the admin) are left as they are.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        html = response.get("Content-Type", "").startswith("text/html")
        if html or response.cookies or has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True, no_cache=True)
        return response
