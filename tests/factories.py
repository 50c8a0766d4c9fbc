"""Small helpers that build rows with sensible defaults; override what a test cares about."""

import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from polls.models import Choice, Poll

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_user(username: str | None = None, **fields):
    User = get_user_model()
    username = username or f"user{next(_counter)}"
    user = User(username=username, email=f"{username}@example.com", **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_poll(*, choices=("Yes", "No", "Something else"), author=None, **overrides) -> Poll:
    number = next(_counter)
    fields = {
        "question": f"How would you define thing {number}?",
        "slug": f"poll-{number}",
        "intro": "Tell us what *you* think.",
        "status": Poll.Status.PUBLISHED,
        "published_at": timezone.now(),
        "results_visibility": Poll.ResultsVisibility.ALWAYS,
    }
    fields.update(overrides)
    if author is None:
        author = make_user()
    poll = Poll.objects.create(author=author, **fields)
    Choice.objects.bulk_create(
        Choice(poll=poll, text=text, position=index) for index, text in enumerate(choices)
    )
    return poll
