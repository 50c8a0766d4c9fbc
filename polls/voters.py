"""Who is voting: an account, or a browser carrying a long-lived signed random cookie.

``VoterMiddleware`` gives every request a lazy ``request.voter`` (as Django's own
middleware gives ``request.user``). A browser without a valid cookie gets a new random id,
and the cookie is set on the response the first time a view asked for the voter, so the
same id is used for everything in that request (the ballot, a comment form's token).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

COOKIE_SALT = "polls.voter"


@dataclass(frozen=True)
class Voter:
    key: str
    user: object | None = None
    anonymous_id: str | None = None
    is_new: bool = False
    # When this browser's cookie was issued (a Unix time; None for accounts and new voters):
    # how long a reader has been around, which a script's fresh cookies cannot fake.
    issued_at: float | None = None


def voter_for_request(request: HttpRequest) -> Voter:
    """The voter behind this request (the same object for the whole request)."""
    voter = getattr(request, "voter", None)
    if voter is not None:
        return voter
    return _read_voter(request)


def _read_voter(request: HttpRequest) -> Voter:
    if request.user.is_authenticated:
        return Voter(key=f"user:{request.user.pk}", user=request.user)
    anonymous_id, issued_at = _cookie_value(request)
    if anonymous_id and len(anonymous_id) <= 40:
        return Voter(key=f"anon:{anonymous_id}", anonymous_id=anonymous_id, issued_at=issued_at)
    anonymous_id = secrets.token_urlsafe(24)
    return Voter(key=f"anon:{anonymous_id}", anonymous_id=anonymous_id, is_new=True)


def _cookie_value(request: HttpRequest) -> tuple[str | None, float | None]:
    """The voter cookie's random id and when it was issued, if its signature holds.

    Django's signed cookies are "value:timestamp:signature" (a timestamp signer), and the
    signature covers the timestamp: once the cookie is checked, its time can be trusted.
    """
    value = request.get_signed_cookie(settings.POLLS_VOTER_COOKIE, default=None, salt=COOKIE_SALT)
    if not value:
        return None, None
    try:
        stamp = request.COOKIES[settings.POLLS_VOTER_COOKIE].rsplit(":", 2)[-2]
        return value, float(signing.b62_decode(stamp))
    except (IndexError, ValueError):
        return value, None


def remember_voter(response: HttpResponse, voter: Voter) -> HttpResponse:
    """Give a new anonymous voter their cookie (HttpOnly, SameSite=Lax, two years)."""
    if voter.anonymous_id and voter.is_new:
        response.set_signed_cookie(
            settings.POLLS_VOTER_COOKIE,
            voter.anonymous_id,
            salt=COOKIE_SALT,
            max_age=settings.POLLS_VOTER_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


class VoterMiddleware:
    """``request.voter``, read once per request; a new voter's cookie set on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        asked: list[Voter] = []

        def read() -> Voter:
            voter = _read_voter(request)
            asked.append(voter)
            return voter

        request.voter = SimpleLazyObject(read)
        response = self.get_response(request)
        if asked and response.status_code < 500:
            remember_voter(response, asked[0])
        return response
