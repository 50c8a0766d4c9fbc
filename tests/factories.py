"""Small helpers that build rows with sensible defaults; override what a test cares about."""

import itertools
import time

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


def voter_client(anonymous_id: str | None = None, *, issued_ago: float = 0, **client_kwargs):
    """A test Client that is one anonymous browser, carrying its signed voter cookie (issued
    `issued_ago` seconds ago: a reader who has been around that long)."""
    from django.test import Client

    client = Client(**client_kwargs)
    give_voter_cookie(client, anonymous_id, issued_ago=issued_ago)
    return client


def give_voter_cookie(client, anonymous_id: str | None = None, *, issued_ago: float = 0) -> str:
    """Give a test Client the signed voter cookie a browser gets on its first visit."""
    from unittest import mock

    from django.conf import settings
    from django.http import HttpResponse

    from polls.voters import COOKIE_SALT

    anonymous_id = anonymous_id or f"test-voter-{next(_counter)}"
    response = HttpResponse()
    then = time.time() - issued_ago
    with mock.patch("django.core.signing.time.time", return_value=then):
        response.set_signed_cookie(settings.POLLS_VOTER_COOKIE, anonymous_id, salt=COOKIE_SALT)
    client.cookies[settings.POLLS_VOTER_COOKIE] = response.cookies[
        settings.POLLS_VOTER_COOKIE
    ].value
    return anonymous_id


def voter_key_of(client) -> str:
    """The voter key the site sees for this test Client (its account, or its cookie, which
    it is given here if it has none yet, as a browser gets on its first page)."""
    from django.conf import settings

    user_id = client.session.get("_auth_user_id") if client.cookies.get("sessionid") else None
    if user_id:
        return f"user:{user_id}"
    from django.http import HttpRequest

    from polls.voters import COOKIE_SALT

    morsel = client.cookies.get(settings.POLLS_VOTER_COOKIE)
    request = HttpRequest()
    request.COOKIES = {settings.POLLS_VOTER_COOKIE: morsel.value} if morsel else {}
    anonymous_id = request.get_signed_cookie(
        settings.POLLS_VOTER_COOKIE, default=None, salt=COOKIE_SALT
    )
    return f"anon:{anonymous_id or give_voter_cookie(client)}"


def make_ballots(poll: Poll, count: int, *, choice: Choice | None = None) -> None:
    """Add `count` ballots for one choice in bulk (for big-poll tests), telling the poll's
    version as a vote does."""
    from core import versions
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
    versions.results_changed(poll_id=poll.pk)


def poll_form_data(
    *choices: str,
    question: str = "How would you define social learning?",
    intro: str = "A short *intro*.",
    ids=(),
    **extra,
) -> dict:
    """The POST body of the trainer's poll form (new or edit), publishing by default;
    `ids` gives existing choices' ids in order, `extra` overrides or adds fields."""
    data = {
        "question": question,
        "intro": intro,
        "max_choices": "1",
        "who_can_vote": "anyone",
        "results_visibility": "after_vote",
        "opens_at": "",
        "closes_at": "",
        "action": "publish",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "50",
    }
    for index, text in enumerate(choices):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-id"] = ids[index] if index < len(ids) else ""
    data.update(extra)
    return data
