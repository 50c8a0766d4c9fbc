"""The core app's settings and their defaults: the one place a default is written.

socialpoll/settings.py applies these, overridden by environment variables of the same name
(see the README's configuration table); code reads them as ``settings.SIGNIN_…``.
"""

from typing import Any

DEFAULTS: dict[str, Any] = {
    # Failed sign-ins allowed per window (seconds) from one address, and for one account
    # from browsers that have not signed in to it before. A browser that has (a signed
    # cookie says so) has its own allowance, so a stranger's guesses never lock the owner
    # out of their usual browser.
    "SIGNIN_ADDRESS_FAILURES": 20,
    "SIGNIN_ACCOUNT_FAILURES": 10,
    "SIGNIN_WINDOW": 60 * 15,
    # Password-reset requests per window (seconds): from one address, and for one email
    # address (each may send an email).
    "SIGNIN_RESET_ADDRESS_LIMIT": 10,
    "SIGNIN_RESET_EMAIL_LIMIT": 3,
    "SIGNIN_RESET_WINDOW": 60 * 60,
    # Sign-ups per window (seconds): from one address (a workshop room signs up together),
    # and for one email address typed (each sends an email).
    "SIGNUP_ADDRESS_LIMIT": 40,
    "SIGNUP_EMAIL_LIMIT": 3,
    "SIGNUP_WINDOW": 60 * 60,
    # Fetching URLs that commenters typed (core/fetch.py): seconds to connect, and as long
    # again for the whole answer; the most bytes read; redirects followed. Loopback
    # addresses are refused unless SOCIALPOLL_FETCH_ALLOW_LOOPBACK is on (tests and local
    # development only: never in production).
    "SOCIALPOLL_FETCH_TIMEOUT": 5.0,
    "SOCIALPOLL_FETCH_MAX_BYTES": 1024 * 1024,
    "SOCIALPOLL_FETCH_MAX_REDIRECTS": 3,
    "SOCIALPOLL_FETCH_ALLOW_LOOPBACK": False,
}
