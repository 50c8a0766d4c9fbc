from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from polls import services
from polls.models import Ballot, Choice, Poll
from polls.services import ChoiceInput
from polls.voters import Voter
from tests.factories import make_poll, make_user
from tests.polls.conftest import choice_ids, counts

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def anon(name: str = "a") -> Voter:
    return Voter(key=f"anon:{name}", anonymous_id=name)


def cast(poll: Poll, *ids, voter: Voter | None = None):
    return services.ballot_cast(poll=poll, voter=voter or anon(), choice_ids=list(ids))


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


def test_a_vote_bumps_the_results_version(poll):
    before = poll.results_version
    cast(poll, choice_ids(poll)[0])
    poll.refresh_from_db()
    assert poll.results_version == before + 1


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


@pytest.mark.parametrize("raw", ["abc", "", "1.5", "-3", "99999999999999999999999", None])
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
    assert services.ballot_choice_ids(poll=poll, voter=anon("me")) == {first}
    assert services.ballot_choice_ids(poll=poll, voter=anon("someone-else")) == set()


# --- slugs --------------------------------------------------------------------------------


def test_slug_comes_from_the_question():
    assert services.poll_slug(question="How would you define Social Learning?") == (
        "how-would-you-define-social-learning"
    )


def test_slug_is_made_unique():
    make_poll(slug="define-it")
    make_poll(slug="define-it-2")
    assert services.poll_slug(question="Define it") == "define-it-3"


@pytest.mark.parametrize("question", ["New", "Mine", "???"])
def test_slug_never_takes_a_page_path_and_is_never_empty(question):
    slug = services.poll_slug(question=question)
    assert slug not in {"new", "mine", ""}


def test_long_question_gives_a_slug_within_the_column():
    slug = services.poll_slug(question="word " * 100)
    assert len(slug) <= Poll._meta.get_field("slug").max_length


# --- creating and editing polls -----------------------------------------------------------


FIELDS = {"question": "How would you define blended learning?", "intro": "Say *why*."}


def rows(*texts, ids=None):
    ids = ids or [None] * len(texts)
    return [ChoiceInput(id=i, text=t) for i, t in zip(ids, texts, strict=True)]


def test_poll_create_publishes_with_choices_in_order(trainer):
    poll = services.poll_create(
        author=trainer, fields=FIELDS, choices=rows("A", "", "B", "C"), publish=True
    )
    assert poll.is_published and poll.published_at
    assert poll.slug == "how-would-you-define-blended-learning"
    assert list(poll.choices.values_list("text", "position")) == [("A", 0), ("B", 1), ("C", 2)]


def test_draft_may_have_fewer_than_two_choices(trainer):
    poll = services.poll_create(author=trainer, fields=FIELDS, choices=rows("A"), publish=False)
    assert poll.status == Poll.Status.DRAFT


def test_publishing_needs_two_choices(trainer):
    with pytest.raises(ValidationError) as caught:
        services.poll_create(author=trainer, fields=FIELDS, choices=rows("A", ""), publish=True)
    assert "at least two choices" in str(caught.value.message_dict["choices"])
    assert not Poll.objects.exists()


def test_duplicate_choices_are_refused(trainer):
    with pytest.raises(ValidationError) as caught:
        services.poll_create(author=trainer, fields=FIELDS, choices=rows("A", " a "), publish=True)
    assert "same as Choice 1" in caught.value.message_dict["choice-1"][0]


def test_too_many_choices_are_refused(trainer, settings):
    settings.POLLS_MAX_CHOICES = 3
    with pytest.raises(ValidationError, match="at most 3 choices"):
        services.poll_create(
            author=trainer, fields=FIELDS, choices=rows("A", "B", "C", "D"), publish=True
        )


def test_closing_before_opening_is_refused_by_the_service(trainer):
    now = timezone.now()
    fields = {**FIELDS, "opens_at": now, "closes_at": now - HOUR}
    with pytest.raises(ValidationError, match="close after it opens"):
        services.poll_create(author=trainer, fields=fields, choices=rows("A", "B"), publish=True)


def voted_poll(author):
    poll = make_poll(author=author, choices=("Voted", "Unvoted"))
    cast(poll, choice_ids(poll)[0])
    poll.refresh_from_db()
    return poll


def edit(poll, *texts, ids=None, **fields):
    return services.poll_update(
        poll=poll, fields={**FIELDS, **fields}, choices=rows(*texts, ids=ids), publish=True
    )


def test_rewording_a_voted_choice_is_refused_with_an_explanation(trainer):
    poll = voted_poll(trainer)
    voted, unvoted = choice_ids(poll)
    with pytest.raises(ValidationError) as caught:
        edit(poll, "Something new", "Unvoted", ids=[voted, unvoted])
    message = caught.value.message_dict["choice-0"][0]
    assert "already has 1 vote" in message and "cannot be reworded" in message
    assert Choice.objects.get(pk=voted).text == "Voted"


def test_removing_a_voted_choice_is_refused(trainer):
    poll = voted_poll(trainer)
    voted, unvoted = choice_ids(poll)
    with pytest.raises(ValidationError, match="cannot be removed"):
        edit(poll, "", "Unvoted", "Third", ids=[voted, unvoted, None])
    assert Choice.objects.filter(pk=voted).exists()


def test_leaving_a_voted_choice_out_of_the_form_is_refused(trainer):
    poll = voted_poll(trainer)
    _, unvoted = choice_ids(poll)
    with pytest.raises(ValidationError, match="cannot be removed"):
        edit(poll, "Unvoted", "Third", ids=[unvoted, None])


def test_adding_a_choice_to_a_voted_poll_is_allowed(trainer):
    poll = voted_poll(trainer)
    voted, unvoted = choice_ids(poll)
    edit(poll, "Voted", "Unvoted, reworded", "A new idea", ids=[voted, unvoted, None])
    assert list(poll.choices.values_list("text", flat=True)) == [
        "Voted",
        "Unvoted, reworded",
        "A new idea",
    ]
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_removing_an_unvoted_choice_of_a_voted_poll_is_allowed(trainer):
    poll = make_poll(author=trainer, choices=("Voted", "Also", "Unvoted"))
    cast(poll, choice_ids(poll)[0])
    voted, also, unvoted = choice_ids(poll)
    edit(poll, "Voted", "Also", "", ids=[voted, also, unvoted])
    assert not Choice.objects.filter(pk=unvoted).exists()


def test_only_spacing_changed_on_a_voted_choice_is_not_a_rewording(trainer):
    poll = voted_poll(trainer)
    voted, unvoted = choice_ids(poll)
    edit(poll, "  Voted ", "Unvoted", ids=[voted, unvoted])
    assert Choice.objects.get(pk=voted).text == "Voted"


def test_a_choice_of_another_poll_cannot_be_edited_through_this_one(trainer):
    poll = make_poll(author=trainer)
    foreign = choice_ids(make_poll())[0]
    with pytest.raises(ValidationError, match="not part of this poll"):
        edit(poll, "Hijacked", "B", ids=[foreign, None])
    assert Choice.objects.get(pk=foreign).text == "Yes"


def test_voted_multiple_choice_poll_cannot_become_single_choice(trainer):
    poll = make_poll(author=trainer, multiple=True, max_choices=2, choices=("A", "B"))
    cast(poll, *choice_ids(poll))
    poll.refresh_from_db()
    a, b = choice_ids(poll)
    with pytest.raises(ValidationError) as caught:
        edit(poll, "A", "B", ids=[a, b], multiple=False, max_choices=1)
    assert "multiple" in caught.value.message_dict


def test_edit_bumps_the_results_version(trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    before = poll.results_version
    a, b = choice_ids(poll)
    edited = edit(poll, "A", "B", "C", ids=[a, b, None])
    assert edited.results_version > before


def test_unpublishing_keeps_the_first_publication_date(trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    published_at = poll.published_at
    a, b = choice_ids(poll)
    services.poll_update(
        poll=poll, fields=FIELDS, choices=rows("A", "B", ids=[a, b]), publish=False
    )
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT
    edited = edit(poll, "A", "B", ids=[a, b])
    assert edited.published_at == published_at


# --- opening and closing ------------------------------------------------------------------


def test_close_now_stops_votes(poll):
    services.poll_close(poll=poll)
    poll.refresh_from_db()
    assert poll.state == "closed"
    refused("closed", poll, choice_ids(poll)[0])


def test_closing_a_scheduled_poll_keeps_the_schedule_valid():
    poll = make_poll(opens_at=timezone.now() + HOUR)
    services.poll_close(poll=poll)
    poll.refresh_from_db()
    poll.full_clean()  # closes after it opens still holds
    assert poll.state == "closed"


def test_open_now_publishes_and_reopens():
    poll = make_poll(status=Poll.Status.DRAFT, closes_at=timezone.now() - HOUR)
    poll.published_at = None
    poll.save()
    services.poll_open(poll=poll)
    poll.refresh_from_db()
    assert poll.state == "open" and poll.published_at


# --- counters -----------------------------------------------------------------------------


def test_counters_verify_finds_nothing_after_normal_voting(poll):
    for n, choice in enumerate(choice_ids(poll)):
        cast(poll, choice, voter=anon(str(n)))
    assert services.counters_verify() == []


def test_counters_verify_reports_and_repairs_drift(poll):
    cast(poll, choice_ids(poll)[0])
    Poll.objects.filter(pk=poll.pk).update(ballot_count=7)
    Choice.objects.filter(pk=choice_ids(poll)[1]).update(votes=3)
    drifts = services.counters_verify()
    assert {(d.choice is None, d.stored, d.actual) for d in drifts} == {(True, 7, 1), (False, 3, 0)}
    assert counts(poll) == (1, 7, [1, 3, 0])  # only reported
    services.counters_verify(repair=True)
    assert counts(poll) == (1, 1, [1, 0, 0])
    assert services.counters_verify() == []


def test_deleting_a_poll_takes_its_ballots(poll):
    cast(poll, choice_ids(poll)[0])
    poll.delete()
    assert not Ballot.objects.exists()
