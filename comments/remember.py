""" "Remember me": a commenter's name, email and website kept in their own browser.

Opt-in, as WordPress does it: the comment form has an unticked "Remember me" box; posting
with it ticked stores the three fields in a signed cookie (HttpOnly, SameSite=Lax, a year)
that fills in the next comment form; posting with it unticked deletes the cookie. Nothing
is stored on the server. The cookie is declared personal (core/perrequest.py), so a browser
that carries it never gets, nor leaves behind, the poll page cached for first-time readers:
nobody is ever shown another person's details.
"""

import base64
import json

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COMMENTER_COOKIE = "socialpoll_commenter"
_SALT = "comments.commenter"
_MAX_AGE = 60 * 60 * 24 * 365
_FIELDS = ("name", "email", "website")


def remembered_commenter(request: HttpRequest) -> dict[str, str]:
    """The name, email and website this browser asked us to remember ({} if none)."""
    try:
        value = request.get_signed_cookie(COMMENTER_COOKIE, salt=_SALT, max_age=_MAX_AGE)
        data = json.loads(base64.urlsafe_b64decode(value.encode()))
    except (KeyError, signing.BadSignature, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {field: str(data.get(field, ""))[:254] for field in _FIELDS}


def commenter_remember(
    request: HttpRequest, response: HttpResponse, *, details: dict[str, str], remember: bool
) -> None:
    """Keep the details for the next comment form, or forget them when the box is unticked."""
    if not remember:
        if COMMENTER_COOKIE in request.COOKIES:
            response.delete_cookie(COMMENTER_COOKIE, samesite="Lax")
        return
    text = json.dumps({field: details.get(field) or "" for field in _FIELDS})
    value = base64.urlsafe_b64encode(text.encode()).decode()  # no quoting in the cookie
    response.set_signed_cookie(
        COMMENTER_COOKIE,
        value,
        salt=_SALT,
        max_age=_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
