"""The polls app's settings and their defaults: the one place a default is written.

socialpoll/settings.py applies these, overridden by environment variables of the same name
(see the README's configuration table); code reads them as ``settings.POLLS_…``.
"""

from typing import Any

DEFAULTS: dict[str, Any] = {
    # Polls per page on the home page.
    "POLLS_PER_PAGE": 20,
    # Most choices a poll may have.
    "POLLS_MAX_CHOICES": 10,
    # Empty choice rows the "New poll" form starts with.
    "POLLS_NEW_POLL_CHOICE_ROWS": 4,
    # How long a rendered results fragment stays in the cache. Its key derives from the
    # poll's version, so a vote never leaves a stale copy behind; this only bounds memory.
    "POLLS_RESULTS_CACHE_SECONDS": 600,
    # How long a whole poll page, as anonymous first-time readers get it, stays cached
    # (polls/pagecache.py). Its key follows every write, so this only bounds what no version
    # sees, such as new templates after a deploy. 0 turns the page cache off.
    "POLLS_PAGE_CACHE_SECONDS": 300,
    # How often an open poll's results refresh in the browser (htmx), in seconds: a new vote
    # shows on readers' screens within this plus one request (the room wants under 5 s).
    # Each refresh is a conditional request answered from the cache (polls/live.py).
    "POLLS_RESULTS_REFRESH_SECONDS": 3,
    # How often the presenter view refreshes its total and bars (the room wants under 3 s).
    "POLLS_PRESENTER_REFRESH_SECONDS": 2,
    # Vote POSTs allowed per client IP address per window (seconds). A workshop room of 100
    # behind one address votes well under this; a script hammering the form is slowed
    # (429), never banned.
    "POLLS_VOTE_RATE_LIMIT": 300,
    "POLLS_VOTE_RATE_WINDOW": 60,
    # Anonymous voters carry a signed random id in this cookie.
    "POLLS_VOTER_COOKIE": "socialpoll_voter",
    "POLLS_VOTER_COOKIE_MAX_AGE": 60 * 60 * 24 * 730,
    # Origins (scheme://host[:port], comma-separated in the environment) whose pages may
    # show a poll's embed (/polls/<slug>/embed/) in an <iframe>. Empty: none may.
    "SOCIALPOLL_EMBED_ORIGINS": [],
}
