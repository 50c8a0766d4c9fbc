"""Writing polls (polls/editing.py): slugs, choices and their rules, opening and closing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import versions
from polls import editing, lifecycle, voting
from polls.editing import ChoiceInput
from polls.models import Choice, Poll
from polls.voters import Voter
from tests.factories import make_poll
from tests.polls.conftest import choice_ids, counts

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def cast(poll: Poll, *ids, name: str = "a") -> None:
    voting.ballot_cast(
        poll=poll, voter=Voter(key=f"anon:{name}", anonymous_id=name), choice_ids=list(ids)
    )


# --- slugs --------------------------------------------------------------------------------


def test_slug_comes_from_the_question():
    assert editing.poll_slug(question="How would you define Social Learning?") == (
        "how-would-you-define-social-learning"
    )


def test_slug_is_made_unique():
    make_poll(slug="define-it")
    make_poll(slug="define-it-2")
    assert editing.poll_slug(question="Define it") == "define-it-3"


@pytest.mark.parametrize("question", ["New", "Mine", "???"])
def test_slug_never_takes_a_page_path_and_is_never_empty(question):
    slug = editing.poll_slug(question=question)
    assert slug not in {"new", "mine", ""}


def test_long_question_gives_a_slug_within_the_column():
    slug = editing.poll_slug(question="word " * 100)
    assert len(slug) <= Poll._meta.get_field("slug").max_length


# --- creating and editing polls -----------------------------------------------------------


FIELDS = {"question": "How would you define blended learning?", "intro": "Say *why*."}


def rows(*texts, ids=None):
    ids = ids or [None] * len(texts)
    return [ChoiceInput(id=i, text=t) for i, t in zip(ids, texts, strict=True)]


def test_poll_create_publishes_with_choices_in_order(trainer):
    poll = editing.poll_create(
        author=trainer, fields=FIELDS, choices=rows("A", "", "B", "C"), publish=True
    )
    assert poll.is_published and poll.published_at
    assert poll.slug == "how-would-you-define-blended-learning"
    assert list(poll.choices.values_list("text", "position")) == [("A", 0), ("B", 1), ("C", 2)]


def test_draft_may_have_fewer_than_two_choices(trainer):
    poll = editing.poll_create(author=trainer, fields=FIELDS, choices=rows("A"), publish=False)
    assert poll.status == Poll.Status.DRAFT


def test_publishing_needs_two_choices(trainer):
    with pytest.raises(ValidationError) as caught:
        editing.poll_create(author=trainer, fields=FIELDS, choices=rows("A", ""), publish=True)
    assert "at least two choices" in str(caught.value.message_dict["choices"])
    assert not Poll.objects.exists()


def test_duplicate_choices_are_refused(trainer):
    with pytest.raises(ValidationError) as caught:
        editing.poll_create(author=trainer, fields=FIELDS, choices=rows("A", " a "), publish=True)
    assert "same as Choice 1" in caught.value.message_dict["choice-1"][0]


def test_too_many_choices_are_refused(trainer, settings):
    settings.POLLS_MAX_CHOICES = 3
    with pytest.raises(ValidationError, match="at most 3 choices"):
        editing.poll_create(
            author=trainer, fields=FIELDS, choices=rows("A", "B", "C", "D"), publish=True
        )


def test_multiple_choice_with_a_maximum_of_one_is_refused(trainer):
    fields = {**FIELDS, "multiple": True, "max_choices": 1}
    with pytest.raises(ValidationError) as caught:
        editing.poll_create(author=trainer, fields=fields, choices=rows("A", "B"), publish=True)
    assert "at least 2" in caught.value.message_dict["max_choices"][0]
    assert not Poll.objects.exists()


def test_poll_validate_reports_every_broken_rule_at_once(trainer):
    now = timezone.now()
    fields = {**FIELDS, "opens_at": now, "closes_at": now - HOUR, "multiple": True}
    with pytest.raises(ValidationError) as caught:
        editing.poll_validate(poll=None, fields=fields, choices=rows("A"), publish=True)
    assert set(caught.value.message_dict) == {"closes_at", "choices", "max_choices"}


def test_closing_before_opening_is_refused_by_the_service(trainer):
    now = timezone.now()
    fields = {**FIELDS, "opens_at": now, "closes_at": now - HOUR}
    with pytest.raises(ValidationError, match="close after it opens"):
        editing.poll_create(author=trainer, fields=fields, choices=rows("A", "B"), publish=True)


def voted_poll(author):
    poll = make_poll(author=author, choices=("Voted", "Unvoted"))
    cast(poll, choice_ids(poll)[0])
    poll.refresh_from_db()
    return poll


def edit(poll, *texts, ids=None, **fields):
    return editing.poll_update(
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


def test_an_edit_changes_the_polls_content_version(trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    before = versions.read(poll.pk)
    a, b = choice_ids(poll)
    edit(poll, "A", "B", "C", ids=[a, b, None])
    assert versions.read(poll.pk).content != before.content


@pytest.mark.parametrize("write", ["close", "open"])
def test_opening_and_closing_change_the_content_version(write):
    poll = make_poll(closes_at=timezone.now() - HOUR if write == "open" else None)
    before = versions.read(poll.pk)
    getattr(lifecycle, f"poll_{write}")(poll=poll)
    assert versions.read(poll.pk).content != before.content


def test_unpublishing_keeps_the_first_publication_date(trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    published_at = poll.published_at
    a, b = choice_ids(poll)
    editing.poll_update(poll=poll, fields=FIELDS, choices=rows("A", "B", ids=[a, b]), publish=False)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT
    edited = edit(poll, "A", "B", ids=[a, b])
    assert edited.published_at == published_at


# --- opening and closing ------------------------------------------------------------------


def test_close_now_stops_votes(poll):
    lifecycle.poll_close(poll=poll)
    poll.refresh_from_db()
    assert poll.state == "closed"
    with pytest.raises(ValidationError) as caught:
        cast(poll, choice_ids(poll)[0])
    assert caught.value.code == "closed"


def test_closing_a_scheduled_poll_keeps_the_schedule_valid():
    poll = make_poll(opens_at=timezone.now() + HOUR)
    lifecycle.poll_close(poll=poll)
    poll.refresh_from_db()
    poll.full_clean()  # closes after it opens still holds
    assert poll.state == "closed"


def test_open_now_publishes_and_reopens():
    poll = make_poll(status=Poll.Status.DRAFT, closes_at=timezone.now() - HOUR)
    poll.published_at = None
    poll.save()
    lifecycle.poll_open(poll=poll)
    poll.refresh_from_db()
    assert poll.state == "open" and poll.published_at
