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


def voter_client(anonymous_id: str | None = None, **client_kwargs):
    """A test Client that is one anonymous browser, carrying its signed voter cookie."""
    from django.conf import settings
    from django.core import signing
    from django.test import Client

    from polls.voters import COOKIE_SALT

    client = Client(**client_kwargs)
    anonymous_id = anonymous_id or f"test-voter-{next(_counter)}"
    signer = signing.get_cookie_signer(salt=settings.POLLS_VOTER_COOKIE + COOKIE_SALT)
    client.cookies[settings.POLLS_VOTER_COOKIE] = signer.sign(anonymous_id)
    return client


def make_ballots(poll: Poll, count: int, *, choice: Choice | None = None) -> None:
    """Add `count` ballots for one choice in bulk, counters included (for big-poll tests)."""
    from django.db.models import F

    from polls.models import Ballot

    choice = choice or poll.choices.first()
    start = next(_counter)
    ballots = Ballot.objects.bulk_create(
        Ballot(poll=poll, voter_key=f"anon:bulk-{start}-{n}") for n in range(count)
    )
    if ballots and ballots[0].pk is None:  # backends that return no ids from bulk_create
        ballots = list(Ballot.objects.filter(voter_key__startswith=f"anon:bulk-{start}-"))
    Ballot.choices.through.objects.bulk_create(
        Ballot.choices.through(ballot_id=ballot.pk, choice_id=choice.pk) for ballot in ballots
    )
    Choice.objects.filter(pk=choice.pk).update(votes=F("votes") + count)
    Poll.objects.filter(pk=poll.pk).update(
        ballot_count=F("ballot_count") + count, results_version=F("results_version") + 1
    )
