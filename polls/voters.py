"""Who is voting: an account, or a browser carrying a long-lived signed random cookie."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_SALT = "polls.voter"


@dataclass(frozen=True)
class Voter:
    key: str
    user: object | None = None
    anonymous_id: str | None = None
    is_new: bool = False


def voter_for_request(request: HttpRequest) -> Voter:
    """The voter behind this request; a new anonymous id when the browser has none yet."""
    if request.user.is_authenticated:
        return Voter(key=f"user:{request.user.pk}", user=request.user)
    anonymous_id = request.get_signed_cookie(
        settings.POLLS_VOTER_COOKIE, default=None, salt=COOKIE_SALT
    )
    if anonymous_id and len(anonymous_id) <= 40:
        return Voter(key=f"anon:{anonymous_id}", anonymous_id=anonymous_id)
    anonymous_id = secrets.token_urlsafe(24)
    return Voter(key=f"anon:{anonymous_id}", anonymous_id=anonymous_id, is_new=True)


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
