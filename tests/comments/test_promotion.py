"""Promoting an alternative definition to a choice: the page, the admin action, the command,
the credit, undo, and what earlier voters are told."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from comments import moderation
from comments.models import Comment, Promotion
from comments.promotion import alternative_promote, promotion_undo
from polls.models import Ballot, Choice
from polls.results import results_verify
from tests.comments.alt_helpers import definition, promote_url, something_else, write_in_poll
from tests.factories import voter_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(trainer):
    return write_in_poll(trainer, allow_vote_change=True)


@pytest.fixture
def alt(poll):
    return definition(poll, body="Learning in a *reading circle*", name="Dana")


def test_trainer_sees_add_as_a_choice_and_readers_do_not(client, trainer, poll, alt):
    assert "Add as a choice" not in voter_client("r").get(poll.get_absolute_url()).content.decode()
    client.force_login(trainer)
    assert "Add as a choice" in client.get(poll.get_absolute_url()).content.decode()


def test_promoting_adds_a_credited_choice_before_something_else(client, trainer, poll, alt):
    client.force_login(trainer)
    response = client.post(promote_url(alt))
    assert response.status_code == 302
    texts = [c.text for c in poll.choices.all()]
    assert texts[-2:] == ["Learning in a reading circle", "Something else"]
    record = Promotion.objects.get()
    assert (record.comment, record.promoted_by, record.suggested_by) == (alt, trainer, "Dana")
    html = voter_client("c").get(poll.get_absolute_url()).content.decode()
    assert "suggested by" in html
    assert f'href="/comments/{alt.pk}/#comment-{alt.pk}">Dana</a>' in html
    assert "Added to the poll" in html


def test_readers_cannot_promote(client, reader, poll, alt):
    client.force_login(reader)
    assert client.post(promote_url(alt)).status_code == 404
    with pytest.raises(ValidationError):
        alternative_promote(comment=alt, actor=reader)
    assert not Promotion.objects.exists()


def test_anonymous_promote_goes_to_login(client, poll, alt):
    assert client.post(promote_url(alt)).status_code == 302
    assert not Promotion.objects.exists()


def test_promoting_twice_is_refused(trainer, poll, alt):
    alternative_promote(comment=alt, actor=trainer)
    with pytest.raises(ValidationError, match="already a choice"):
        alternative_promote(comment=alt, actor=trainer)
    assert poll.choices.count() == 4


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_only_published_alternatives_can_be_promoted(trainer, poll, status):
    held = definition(poll, status=status)
    with pytest.raises(ValidationError):
        alternative_promote(comment=held, actor=trainer)


def test_an_ordinary_comment_cannot_be_promoted(trainer, poll):
    plain = definition(poll)
    Comment.objects.filter(pk=plain.pk).update(is_alternative=False)
    plain.refresh_from_db()
    with pytest.raises(ValidationError):
        alternative_promote(comment=plain, actor=trainer)


def test_undo_while_the_choice_has_no_votes(client, trainer, poll, alt):
    client.force_login(trainer)
    client.post(promote_url(alt))
    assert "Undo: take it out of the poll" in client.get(poll.get_absolute_url()).content.decode()
    client.post(f"/comments/{alt.pk}/promote/undo/")
    assert poll.choices.count() == 3
    record = Promotion.objects.get()
    assert record.undone_at is not None and record.undone_by == trainer
    assert "Added to the poll" not in client.get(poll.get_absolute_url()).content.decode()
    alternative_promote(comment=alt, actor=trainer)  # and it may be added again
    assert poll.choices.count() == 4


def test_undo_is_refused_once_someone_voted_for_it(trainer, poll, alt):
    record = alternative_promote(comment=alt, actor=trainer)
    voter_client("c").post(f"/polls/{poll.slug}/vote/", {"choice": record.choice_id})
    with pytest.raises(ValidationError, match="stays"):
        promotion_undo(promotion=record, actor=trainer)
    assert Choice.objects.filter(pk=record.choice_id).exists()


def test_earlier_voters_are_told_a_new_definition_was_added(trainer, poll, alt):
    earlier = voter_client("early")
    earlier.post(f"/polls/{poll.slug}/vote/", {"choice": something_else(poll).pk})
    # Choices written with the poll are not "new".
    assert "A new definition was added" not in earlier.get(poll.get_absolute_url()).content.decode()
    day_ago = timezone.now() - timedelta(days=1)  # a poll, and a vote, from yesterday
    Choice.objects.filter(poll=poll).update(created_at=day_ago)
    Ballot.objects.filter(poll=poll).update(updated_at=day_ago)
    alternative_promote(comment=alt, actor=trainer)
    html = earlier.get(poll.get_absolute_url()).content.decode()
    assert "A new definition was added: <strong>Learning in a reading circle</strong>." in html
    assert "You may change your vote." in html
    later = voter_client("late")
    later.post(f"/polls/{poll.slug}/vote/", {"choice": poll.choices.first().pk})
    assert "A new definition was added" not in later.get(poll.get_absolute_url()).content.decode()


@pytest.mark.parametrize("action", [moderation.comment_remove, moderation.comment_mark_spam])
def test_hiding_a_promoted_comment_keeps_the_choice_and_its_votes(trainer, poll, alt, action):
    record = alternative_promote(comment=alt, actor=trainer)
    voter_client("c").post(f"/polls/{poll.slug}/vote/", {"choice": record.choice_id})
    action(comment=alt, actor=trainer)
    assert Choice.objects.filter(pk=record.choice_id).exists()
    assert Choice.objects.get(pk=record.choice_id).ballots.count() == 1
    assert results_verify() == []
    html = voter_client("d").get(poll.get_absolute_url()).content.decode()
    assert "suggested by Dana (the comment is no longer available)" in html
    assert f"#comment-{alt.pk}" not in html


def test_deleting_the_comment_keeps_the_choice_and_its_credit(trainer, poll, alt):
    record = alternative_promote(comment=alt, actor=trainer)
    Comment.objects.filter(pk=alt.pk).delete()
    assert Choice.objects.filter(pk=record.choice_id).exists()
    html = voter_client("d").get(poll.get_absolute_url()).content.decode()
    assert "suggested by Dana (the comment is no longer available)" in html


def test_admin_action_promotes_through_the_same_service(client, superuser, poll, alt):
    client.force_login(superuser)
    response = client.post(
        "/admin/comments/comment/?status=approved&is_alternative__exact=1",
        {"action": "add_as_choices", "_selected_action": [alt.pk]},
    )
    assert response.status_code == 302
    assert Promotion.objects.get().promoted_by == superuser


def test_command_promotes_and_undoes(trainer, poll, alt):
    call_command("promote_alternative", str(alt.pk), "--by", trainer.username)
    assert Promotion.objects.filter(undone_at__isnull=True).count() == 1
    call_command("promote_alternative", str(alt.pk), "--by", trainer.username, "--undo")
    assert poll.choices.count() == 3
    with pytest.raises(CommandError):
        call_command("promote_alternative", "999999", "--by", trainer.username)


def test_command_refuses_someone_who_does_not_manage_the_poll(reader, poll, alt):
    with pytest.raises(CommandError, match="trainer"):
        call_command("promote_alternative", str(alt.pk), "--by", reader.username)


def test_promotions_are_listed_read_only_in_the_admin(client, superuser, trainer, poll, alt):
    alternative_promote(comment=alt, actor=trainer)
    client.force_login(superuser)
    html = client.get("/admin/comments/promotion/").content.decode()
    assert "Learning in a reading circle" in html
    assert (
        client.get(f"/admin/comments/promotion/{Promotion.objects.get().pk}/delete/").status_code
        == 403
    )
