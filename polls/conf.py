"""Poll settings with their defaults; any of them can be set in Django's settings."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Polls per page on the home page.
    "POLLS_PER_PAGE": 20,
    # Most choices a poll may have.
    "POLLS_MAX_CHOICES": 10,
    # Empty choice rows the "New poll" form starts with.
    "POLLS_NEW_POLL_CHOICE_ROWS": 4,
    # How long a rendered results fragment stays in the cache (it is keyed on the poll's
    # results_version, so a vote never leaves a stale copy behind; this only bounds memory).
    "POLLS_RESULTS_CACHE_SECONDS": 600,
    # How long a whole poll page, as anonymous first-time readers get it, stays cached
    # (polls/pagecache.py: its key follows every vote, edit and comment, so this only
    # bounds what the key cannot see, such as new templates after a deploy). 0 turns it off.
    "POLLS_PAGE_CACHE_SECONDS": 300,
    # How long a worker serves its own copy of a stored page before reading the shared
    # versions again: the most a write made on another worker or server can take to show.
    "POLLS_PAGE_RECHECK_SECONDS": 1.0,
    # How often an open poll's results refresh in the browser (htmx), in seconds.
    "POLLS_RESULTS_REFRESH_SECONDS": 5,
    # Vote POSTs allowed per client IP address per window (seconds).
    "POLLS_VOTE_RATE_LIMIT": 300,
    "POLLS_VOTE_RATE_WINDOW": 60,
}


def poll_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
