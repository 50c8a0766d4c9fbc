"""How many sign-ins and password resets, from where: the limits, and the browsers we know.

Wrong passwords are limited per address (a script guessing across accounts) and per account
(guesses spread over many addresses). A per-account limit is also a lockout that a stranger
could set off against a trainer, so a browser that has signed in to an account before (it
carries a signed cookie that says so) is limited on its own, for that account, and neither
the address nor the account limit applies to it: however many guesses strangers make, the
trainer still signs in from their usual browser.

Password resets send email, so every request counts: per address, and per email address
typed (counted alike whether or not an account has it, so the answer says nothing about
which addresses have accounts).

The counters are the cache-backed ones of core/ratelimit.py: shared by every app server,
and failing open when the cache is down (docs/decisions.md).
"""

import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from core.ratelimit import client_ip, ratelimit_hit, ratelimit_peek

KNOWN_COOKIE = "socialpoll_signin"
_SALT = "core.signin.known-browser"
_KEEP = 5  # accounts a browser remembers
_MAX_AGE = 60 * 60 * 24 * 365


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int


def _digest(text: str) -> str:
    # Counters are keyed by what people type; the cache sees only a digest of it.
    return hashlib.sha256(f"{_SALT}:{text}".encode()).hexdigest()[:32]


def _account(username: str) -> str:
    return _digest(username.strip().casefold())


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _known(request: HttpRequest) -> tuple[str, list[str]]:
    """This browser's id and the accounts it has signed in to (digests), from its cookie."""
    try:
        value = request.get_signed_cookie(KNOWN_COOKIE, salt=_SALT, max_age=_MAX_AGE)
    except (KeyError, signing.BadSignature):
        return "", []
    browser, _, accounts = value.partition(":")
    return browser, [account for account in accounts.split(",") if account]


def _failure_counters(request: HttpRequest, username: str) -> list[tuple[str, str, int]]:
    """(scope, key, limit) of the counters a failed sign-in adds to, and that must all have
    room before another attempt."""
    account = _account(username)
    browser, accounts = _known(request)
    if browser and account in accounts:
        return [("signin-browser", f"{account}:{browser}", settings.SIGNIN_ACCOUNT_FAILURES)]
    return [
        ("signin-address", _digest(client_ip(request)), settings.SIGNIN_ADDRESS_FAILURES),
        ("signin-account", account, settings.SIGNIN_ACCOUNT_FAILURES),
    ]


def signin_refusal(request: HttpRequest, username: str) -> Refusal | None:
    """Why this sign-in attempt must wait (too many failures just now), or None."""
    for scope, key, limit in _failure_counters(request, username):
        result = ratelimit_peek(scope=scope, key=key, limit=limit, window=settings.SIGNIN_WINDOW)
        if result.allowed:
            continue
        wait = _minutes(result.retry_after)
        if scope == "signin-address":
            message = (
                f"Too many failed sign-ins came from your network just now. Please wait {wait} "
                "and try again."
            )
        else:
            message = (
                f"Too many failed sign-ins for this account just now. Please wait {wait}, or "
                "sign in from a browser you have signed in with before."
            )
        return Refusal(message, result.retry_after)
    return None


@receiver(user_login_failed, dispatch_uid="core.signin.failed")
def signin_failed(sender=None, credentials=None, request=None, **kwargs) -> None:
    """Count one wrong username or password: Django sends this signal from every login
    (the site's and the admin's) that reached the authentication backends."""
    if request is None:
        return  # authenticate() called outside a request (a shell, a command)
    username = str((credentials or {}).get("username", ""))[:150]
    for scope, key, limit in _failure_counters(request, username):
        ratelimit_hit(scope=scope, key=key, limit=limit, window=settings.SIGNIN_WINDOW)


def signin_succeeded(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Remember, in this browser, that it signs in to this account (a signed cookie)."""
    browser, accounts = _known(request)
    account = _account(username)
    accounts = [*[a for a in accounts if a != account], account][-_KEEP:]
    response.set_signed_cookie(
        KNOWN_COOKIE,
        f"{browser or secrets.token_urlsafe(12)}:{','.join(accounts)}",
        salt=_SALT,
        max_age=_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def address_and_email_refusal(
    request: HttpRequest,
    email: str,
    *,
    scope: str,
    limits: tuple[int, int],
    window: int,
    messages: tuple[str, str],
) -> Refusal | None:
    """Count one request from this network address and for this email address (each under
    its own limit in the window); why it must wait, or None. Each message has a ``{wait}``
    for how long."""
    for kind, key, limit, message in (
        ("address", client_ip(request), limits[0], messages[0]),
        ("email", email.strip().casefold(), limits[1], messages[1]),
    ):
        hit = ratelimit_hit(scope=f"{scope}-{kind}", key=_digest(key), limit=limit, window=window)
        if not hit.allowed:
            return Refusal(message.format(wait=_minutes(hit.retry_after)), hit.retry_after)
    return None


def reset_refusal(request: HttpRequest, email: str) -> Refusal | None:
    """Count one password-reset request; why it must wait, or None."""
    return address_and_email_refusal(
        request,
        email,
        scope="reset",
        limits=(settings.SIGNIN_RESET_ADDRESS_LIMIT, settings.SIGNIN_RESET_EMAIL_LIMIT),
        window=settings.SIGNIN_RESET_WINDOW,
        messages=(
            "Too many password resets were asked for from your network just now. Please wait "
            "{wait} and try again.",
            "Several reset links were asked for this email address in the last hour. If it "
            "belongs to an account, they are on their way: please check your inbox and spam "
            "folder, or ask again in {wait}.",
        ),
    )
