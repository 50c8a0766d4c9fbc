"""Casting and changing ballots (polls/voting.py): the rules, counted once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import versions
from polls import voting
from polls.models import Ballot, Poll
from polls.voters import Voter
from tests.factories import make_poll, make_user
from tests.polls.conftest import choice_ids, counts

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def anon(name: str = "a") -> Voter:
    return Voter(key=f"anon:{name}", anonymous_id=name)


def cast(poll: Poll, *ids, voter: Voter | None = None) -> Ballot:
    return voting.ballot_cast(poll=poll, voter=voter or anon(), choice_ids=list(ids)).ballot


def refused(code: str, poll: Poll, *ids, voter: Voter | None = None) -> None:
    before = counts(poll)
    with pytest.raises(ValidationError) as caught:
        cast(poll, *ids, voter=voter)
    assert caught.value.code == code
    assert counts(poll) == before


# --- casting ------------------------------------------------------------------------------


def test_ballot_counts_once_on_the_choice_and_the_total(poll):
    second = choice_ids(poll)[1]
    cast(poll, second)
    assert counts(poll) == (1, 1, [0, 1, 0])


def test_a_vote_changes_the_results_version_not_the_content_version(poll):
    before = versions.read(poll.pk)
    cast(poll, choice_ids(poll)[0])
    after = versions.read(poll.pk)
    assert after.results != before.results
    assert after.content == before.content


def test_second_ballot_from_same_voter_is_rejected(poll):
    first, second, _ = choice_ids(poll)
    cast(poll, first)
    refused("already_voted", poll, second)


def test_voter_may_change_their_vote_where_allowed():
    poll = make_poll(allow_vote_change=True)
    first, second, _ = choice_ids(poll)
    cast(poll, first)
    cast(poll, second)
    assert counts(poll) == (1, 1, [0, 1, 0])


def test_changing_to_the_same_choice_changes_nothing():
    poll = make_poll(allow_vote_change=True)
    first = choice_ids(poll)[0]
    cast(poll, first)
    cast(poll, first)
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_multiple_choice_ballot_holds_several_choices():
    poll = make_poll(multiple=True, max_choices=2)
    first, _, third = choice_ids(poll)
    ballot = cast(poll, first, third)
    assert ballot.choice_ids == {first, third}
    assert counts(poll) == (1, 1, [1, 0, 1])


def test_two_choices_on_a_single_choice_poll_are_refused(poll):
    refused("too_many", poll, *choice_ids(poll)[:2])


def test_more_than_the_maximum_is_refused():
    poll = make_poll(multiple=True, max_choices=2)
    refused("too_many", poll, *choice_ids(poll))


def test_a_choice_of_another_poll_is_refused(poll):
    other = make_poll()
    refused("invalid_choice", poll, choice_ids(other)[0])


@pytest.mark.parametrize(
    "raw", ["abc", "", "1.5", "-3", "0", "99999999999999999999999", "9" * 5000, "١٢", None]
)
def test_a_malformed_choice_is_refused(poll, raw):
    refused("invalid_choice", poll, raw)


def test_an_unknown_choice_is_refused(poll):
    refused("invalid_choice", poll, max(choice_ids(poll)) + 1000)


def test_no_choice_is_refused(poll):
    refused("no_choice", poll)


def test_vote_before_opening_is_refused():
    poll = make_poll(opens_at=timezone.now() + HOUR)
    refused("not_open", poll, choice_ids(poll)[0])


def test_vote_after_closing_is_refused():
    poll = make_poll(closes_at=timezone.now() - HOUR)
    refused("closed", poll, choice_ids(poll)[0])


def test_vote_on_a_draft_is_refused():
    poll = make_poll(status=Poll.Status.DRAFT)
    refused("not_published", poll, choice_ids(poll)[0])


def test_anonymous_vote_on_a_signed_in_only_poll_is_refused():
    poll = make_poll(who_can_vote=Poll.Voters.USERS)
    refused("login_required", poll, choice_ids(poll)[0])


def test_signed_in_voter_votes_on_a_signed_in_only_poll():
    poll = make_poll(who_can_vote=Poll.Voters.USERS)
    user = make_user()
    ballot = cast(poll, choice_ids(poll)[0], voter=Voter(key=f"user:{user.pk}", user=user))
    assert ballot.user == user


def test_a_poll_closed_after_the_page_loaded_takes_no_vote(poll):
    stale = Poll.objects.get(pk=poll.pk)  # what the view loaded a moment earlier
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    refused("closed", stale, choice_ids(poll)[0])


def test_ballot_choice_ids_tell_what_the_voter_chose(poll):
    first = choice_ids(poll)[0]
    cast(poll, first, voter=anon("me"))
    assert voting.ballot_choice_ids(poll=poll, voter=anon("me")) == {first}
    assert voting.ballot_choice_ids(poll=poll, voter=anon("someone-else")) == set()


def test_the_outcome_says_whether_the_ballot_is_new_or_changed():
    poll = make_poll(allow_vote_change=True)
    first, second, _ = choice_ids(poll)
    outcome = voting.ballot_cast(poll=poll, voter=anon(), choice_ids=[first])
    assert (outcome.created, outcome.changed) == (True, False)
    outcome = voting.ballot_cast(poll=poll, voter=anon(), choice_ids=[first])
    assert (outcome.created, outcome.changed) == (False, False)
    outcome = voting.ballot_cast(poll=poll, voter=anon(), choice_ids=[second])
    assert (outcome.created, outcome.changed) == (False, True)


def test_a_vote_is_counted_when_the_cache_is_unreachable(poll, cache_unreachable):
    cast(poll, choice_ids(poll)[0])
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_deleting_a_poll_takes_its_ballots(poll):
    cast(poll, choice_ids(poll)[0])
    poll.delete()
    assert not Ballot.objects.exists()
