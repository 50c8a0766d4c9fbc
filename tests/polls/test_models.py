from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from polls.models import Ballot, Poll
from tests.factories import make_poll, make_user

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def test_published_poll_without_times_is_open():
    poll = make_poll()
    assert poll.is_open
    assert poll.state == "open"


def test_draft_is_not_open():
    assert make_poll(status=Poll.Status.DRAFT).state == "draft"


def test_poll_with_future_opening_is_scheduled():
    poll = make_poll(opens_at=timezone.now() + HOUR)
    assert poll.is_scheduled and not poll.is_open
    assert poll.state == "scheduled"


def test_poll_past_its_closing_time_is_closed():
    poll = make_poll(closes_at=timezone.now() - HOUR)
    assert poll.has_closed and not poll.is_open
    assert poll.state == "closed"


def test_database_refuses_a_second_ballot_from_the_same_voter_in_a_poll():
    poll = make_poll()
    Ballot.objects.create(poll=poll, voter_key="anon:x")
    with pytest.raises(IntegrityError):
        Ballot.objects.create(poll=poll, voter_key="anon:x")


def test_same_voter_may_hold_ballots_in_different_polls():
    Ballot.objects.create(poll=make_poll(), voter_key="anon:x")
    Ballot.objects.create(poll=make_poll(), voter_key="anon:x")
    assert Ballot.objects.filter(voter_key="anon:x").count() == 2


def test_closing_before_opening_is_refused_with_a_readable_message():
    now = timezone.now()
    poll = make_poll()
    poll.opens_at, poll.closes_at = now, now - HOUR
    with pytest.raises(ValidationError, match="must close after it opens"):
        poll.full_clean()


def test_intro_markdown_is_sanitised():
    poll = make_poll(intro="Hello <script>alert(1)</script> *there*")
    assert "<script>" not in poll.intro_html
    assert "&lt;script&gt;" in poll.intro_html
    assert "<em>there</em>" in poll.intro_html


@pytest.mark.parametrize(
    ("rule", "has_voted", "closed", "visible"),
    [
        (Poll.ResultsVisibility.ALWAYS, False, False, True),
        (Poll.ResultsVisibility.AFTER_VOTE, False, False, False),
        (Poll.ResultsVisibility.AFTER_VOTE, True, False, True),
        (Poll.ResultsVisibility.AFTER_VOTE, False, True, True),
        (Poll.ResultsVisibility.AFTER_CLOSE, True, False, False),
        (Poll.ResultsVisibility.AFTER_CLOSE, False, True, True),
        (Poll.ResultsVisibility.AUTHOR, True, True, False),
    ],
)
def test_results_visibility_rule_for_a_reader(rule, has_voted, closed, visible):
    closes_at = timezone.now() - HOUR if closed else None
    poll = make_poll(results_visibility=rule, closes_at=closes_at)
    assert poll.results_visible_to(AnonymousUser(), has_voted=has_voted) is visible


def test_trainer_and_staff_always_see_results(trainer):
    poll = make_poll(author=trainer, results_visibility=Poll.ResultsVisibility.AUTHOR)
    staff = make_user(is_staff=True)
    assert poll.results_visible_to(trainer, has_voted=False)
    assert poll.results_visible_to(staff, has_voted=False)
    assert not poll.results_visible_to(make_user(), has_voted=True)


def test_only_the_author_trainer_manages_a_poll(trainer, other_trainer, superuser):
    poll = make_poll(author=trainer)
    assert poll.is_managed_by(trainer)
    assert poll.is_managed_by(superuser)
    assert not poll.is_managed_by(other_trainer)
    assert not poll.is_managed_by(AnonymousUser())
