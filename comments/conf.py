"""The comments app's settings and their defaults: the one place a default is written.

socialpoll/settings.py applies these, overridden by environment variables of the same name
(see the README's configuration table); code reads them as ``settings.COMMENTS_…``.
"""

from typing import Any

DEFAULTS: dict[str, Any] = {
    # Replies nest this deep (top level is 1); a reply to the deepest level attaches there.
    "COMMENTS_MAX_DEPTH": 5,
    # Top-level comments per page (a page never splits a reply thread).
    "COMMENTS_PER_PAGE": 50,
    # Characters in one comment.
    "COMMENTS_MAX_LENGTH": 5000,
    # Policy: what is held for a moderator and what is treated as spam.
    "COMMENTS_HOLD_FIRST_TIME_ANONYMOUS": True,
    "COMMENTS_MAX_LINKS": 2,  # more links than this: held
    "COMMENTS_MODERATION_WORDS": ["crypto", "forex", "backlink", "seo services"],
    "COMMENTS_DISALLOWED_WORDS": ["viagra", "cialis", "casino bonus", "payday loan"],
    # Reader reports that send an approved comment back to the queue: from this many
    # established readers (an account, or a voter cookie at least COMMENTS_REPORTER_MIN_AGE
    # seconds old) at as many addresses, since a moderator last approved it.
    "COMMENTS_REPORTS_TO_HOLD": 3,
    "COMMENTS_REPORTER_MIN_AGE": 60 * 10,
    # Bots: a form posted sooner than this after it was first shown is refused, and one
    # older than COMMENTS_FORM_MAX_AGE too.
    "COMMENTS_MIN_SUBMIT_SECONDS": 3,
    "COMMENTS_FORM_MAX_AGE": 60 * 60 * 24,
    # A workshop room shares one address: 60 posts per 10 minutes lets a class of 30 post
    # twice each while still slowing a bot (which also meets the honeypot and time check).
    "COMMENTS_RATE_LIMIT": 60,
    "COMMENTS_RATE_WINDOW": 60 * 10,
    # How long a rendered thread stays in the cache (its key follows every write).
    "COMMENTS_CACHE_TIMEOUT": 60 * 60,
    # Seconds before the 2nd, 3rd, … attempt of a notification email that failed because
    # the mail server could not be reached: about a day of outage in total.
    "COMMENTS_DELIVERY_RETRY_DELAYS": [60, 300, 1800, 7200, 21600, 43200],
    # "Recently posted" (comments/latest_post.py): how long a site's latest post (or the
    # failure to find one) is kept before its feed is fetched again, and how many lookups
    # one commenter (their browser, or their address) may cause per window (seconds).
    "COMMENTS_LATEST_POST_CACHE_SECONDS": 60 * 60,
    "COMMENTS_LATEST_POST_LIMIT": 5,
    "COMMENTS_LATEST_POST_WINDOW": 60 * 60,
}
