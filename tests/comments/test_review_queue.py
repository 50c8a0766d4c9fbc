"""The trainer's own queue: comments awaiting review on their poll, acted on from its page."""

import pytest
from django.test import Client

from comments.models import Comment, ModerationEvent
from tests.comments.helpers import add, form_data, post_url
from tests.factories import make_poll

pytestmark = pytest.mark.django_db

QUEUE = 'id="review-queue"'


def review(client, comment, action, **headers):
    return client.post(f"/comments/{comment.pk}/review/", {"action": action}, **headers)


@pytest.fixture
def held(poll):
    return add(poll, status=Comment.Status.PENDING, name="Quinn", body="Is this *allowed*?")


def test_trainer_sees_the_comments_awaiting_review_on_their_poll(client, poll, trainer, held):
    add(poll, name="Bea", body="Already published.")
    client.force_login(trainer)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert QUEUE in html
    queue = html.split(QUEUE, 1)[1].split("</section>", 1)[0]
    assert "Quinn" in queue and "<em>allowed</em>" in queue
    assert "Already published." not in queue
    for button in ("Approve", "Spam", "Remove"):
        assert f">{button}<" in queue


def test_moderator_sees_the_queue_of_any_poll(client, poll, moderator, held):
    client.force_login(moderator)
    assert QUEUE in client.get(poll.get_absolute_url()).content.decode()


def test_readers_other_trainers_and_anonymous_never_see_the_queue(
    client, poll, held, reader, other_trainer
):
    assert QUEUE not in Client().get(poll.get_absolute_url()).content.decode()
    for user in (reader, other_trainer):
        client.force_login(user)
        assert QUEUE not in client.get(poll.get_absolute_url()).content.decode()


def test_the_cached_anonymous_page_never_holds_the_queue(client, poll, trainer, held):
    client.force_login(trainer)
    assert QUEUE in client.get(poll.get_absolute_url()).content.decode()
    for _ in range(2):  # the first anonymous load stores the page, the second is served it
        assert QUEUE not in Client().get(poll.get_absolute_url()).content.decode()
    assert QUEUE in client.get(poll.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("spam", "spam"), ("remove", "removed")],
)
def test_trainer_acts_without_javascript_and_comes_back_to_the_queue(
    client, poll, trainer, held, action, status
):
    client.force_login(trainer)
    response = review(client, held, action)
    assert response.status_code == 302
    assert response["Location"] == f"{poll.get_absolute_url()}#review-queue"
    held.refresh_from_db()
    assert held.status == status
    # through the moderation services: the log names who did it
    assert ModerationEvent.objects.filter(comment=held, actor=trainer, to_status=status).exists()


def test_an_approved_comment_shows_at_once_on_the_next_anonymous_load(client, poll, trainer, held):
    reader = Client()
    assert "Is this" not in reader.get(poll.get_absolute_url()).content.decode()
    client.force_login(trainer)
    review(client, held, "approve")
    assert "Is this" in reader.get(poll.get_absolute_url()).content.decode()


def test_htmx_answer_is_the_queue_in_place(client, poll, trainer, held):
    other = add(poll, status=Comment.Status.PENDING, name="Ravi", body="Second one")
    client.force_login(trainer)
    response = review(client, held, "spam", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<section") or QUEUE in html
    assert "<html" not in html
    assert "Marked as spam" in html
    assert f'id="review-{other.pk}"' in html and f'id="review-{held.pk}"' not in html


def test_other_trainer_and_reader_are_refused(client, poll, held, reader, other_trainer):
    for user in (reader, other_trainer):
        client.force_login(user)
        assert review(client, held, "approve").status_code == 403
    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING


def test_anonymous_is_sent_to_log_in_and_get_is_refused(client, trainer, held):
    assert review(client, held, "approve").status_code == 302
    client.force_login(trainer)
    assert client.get(f"/comments/{held.pk}/review/").status_code == 405
    assert review(client, Comment(pk=999999), "approve").status_code == 404


def test_bad_action_and_already_reviewed_comment_are_explained(client, poll, trainer, held):
    client.force_login(trainer)
    html = review(client, held, "delete-everything", HTTP_HX_REQUEST="true").content.decode()
    assert "Choose Approve, Spam or Remove." in html
    review(client, held, "approve")
    response = review(client, held, "remove", follow=True)
    assert "This comment was reviewed already." in response.content.decode()
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED


# --- the opt-in email ---------------------------------------------------------------------


def _post_held(client, poll, capture):
    with capture(execute=True):
        response = client.post(post_url(poll), form_data(client, body="Held for review"))
    assert response.status_code == 302
    assert Comment.objects.get(body="Held for review").status == Comment.Status.PENDING


def test_trainer_who_opted_in_is_emailed_when_a_comment_awaits_review(
    client, poll, outbox, django_capture_on_commit_callbacks
):
    poll.notify_pending = True
    poll.save()
    _post_held(client, poll, django_capture_on_commit_callbacks)
    assert [m.to for m in outbox] == [["trainer@example.com"]]
    assert "awaits your review" in outbox[0].subject
    assert f"{poll.get_absolute_url()}#review-queue" in outbox[0].body
    assert "Held for review" in outbox[0].body


def test_trainer_who_did_not_opt_in_gets_no_email_for_a_held_comment(
    client, poll, outbox, django_capture_on_commit_callbacks
):
    _post_held(client, poll, django_capture_on_commit_callbacks)
    assert outbox == []


def test_the_poll_form_offers_the_email_setting(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    html = client.get(f"/polls/{poll.slug}/edit/").content.decode()
    assert "Email me when a comment awaits my review" in html


# --- "My polls" ---------------------------------------------------------------------------


def _mine_with(trainer, n):
    for i in range(n):
        poll = make_poll(author=trainer, question=f"Define thing {i}?")
        add(poll, name="Bea", body="Published")
        add(poll, name="Cy", body="Also published")
        add(poll, status=Comment.Status.PENDING, name="Quinn", body="Waiting")


def test_my_polls_shows_comment_and_pending_counts(client, trainer):
    _mine_with(trainer, 1)
    client.force_login(trainer)
    html = client.get("/polls/mine/").content.decode()
    assert '<td class="text-end">2</td>' in html
    assert "1 to review" in html and "#review-queue" in html


@pytest.mark.parametrize("n", [1, 10])
def test_my_polls_costs_the_same_queries_for_1_or_10_polls(
    client, trainer, n, django_assert_num_queries
):
    _mine_with(trainer, n)
    client.force_login(trainer)
    client.get("/polls/mine/")
    # session, user, permissions (2), count, page of polls, comment counts
    with django_assert_num_queries(7):
        html = client.get("/polls/mine/").content.decode()
    assert html.count("1 to review") == n
