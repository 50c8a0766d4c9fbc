"""Emails about comments: sent through django-tasks after the commit, never for held ones."""

import re

import pytest

from comments import moderation
from comments.models import Comment
from tests.comments.helpers import add, approved_commenter, form_data, post_url


@pytest.fixture
def post(client, poll, django_capture_on_commit_callbacks):
    def _post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(post_url(poll), form_data(client, **overrides))
        assert response.status_code == 302
        return Comment.objects.order_by("-pk").first()

    return _post


def html_part(message) -> str:
    return message.alternatives[0][0]


def test_poll_author_is_emailed_about_an_approved_comment(client, post, poll, outbox):
    approved_commenter(poll, client)
    post(body="Learning is social by nature.")
    assert [m.to for m in outbox] == [["trainer@example.com"]]
    assert poll.question in outbox[0].subject
    assert "Learning is social by nature." in html_part(outbox[0])
    assert "ada@example.com" not in outbox[0].body + html_part(outbox[0])


def test_held_comment_emails_nobody_until_a_moderator_approves_it(
    post, poll, outbox, moderator, django_capture_on_commit_callbacks
):
    comment = post()
    assert outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        moderation.comment_approve(comment=comment, actor=moderator)
    assert [m.to for m in outbox] == [["trainer@example.com"]]


def test_second_approval_does_not_email_again(
    poll, outbox, moderator, django_capture_on_commit_callbacks
):
    comment = add(poll, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.comment_approve(comment=comment, actor=moderator)
        moderation.comment_remove(comment=comment, actor=moderator)
        moderation.comment_approve(comment=comment, actor=moderator)
    assert len(outbox) == 1


def test_poll_author_is_not_emailed_about_their_own_comment(
    client, poll, trainer, outbox, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(poll), form_data(client))
    assert Comment.objects.get().status == Comment.Status.APPROVED
    assert outbox == []


def test_opted_in_commenter_is_emailed_about_an_approved_reply_with_unsubscribe(
    client, post, poll, outbox
):
    parent = add(poll, name="Bea", email="bea@example.com", notify=True)
    approved_commenter(poll, client)
    post(reply_to=parent.pk, body="Bea, I agree.")
    reply_mail = [m for m in outbox if m.to == ["bea@example.com"]]
    assert len(reply_mail) == 1
    message = reply_mail[0]
    assert "Bea, I agree." in html_part(message)
    unsubscribe = re.search(r"http://\S+/comments/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_commenter_who_did_not_opt_in_gets_no_reply_email(client, post, poll, outbox):
    parent = add(poll, name="Bea", email="bea@example.com", notify=False)
    approved_commenter(poll, client)
    post(reply_to=parent.pk)
    assert all(m.to != ["bea@example.com"] for m in outbox)


def test_held_reply_sends_no_reply_email(post, poll, outbox):
    parent = add(poll, name="Bea", email="bea@example.com", notify=True)
    post(reply_to=parent.pk, email="new@example.com")  # first-timer: held
    assert outbox == []


def test_notify_checkbox_is_stored(client, post, poll):
    approved_commenter(poll, client)
    assert post(notify="on").notify is True
    assert post(body="again").notify is False


def test_one_click_unsubscribe_link_stops_reply_emails(client, post, poll, outbox):
    parent = add(poll, name="Bea", email="bea@example.com", notify=True)
    approved_commenter(poll, client)
    post(reply_to=parent.pk, body="First reply")
    link = re.search(r"/comments/unsubscribe/\S+/", outbox[-1].body).group(0)
    assert "Stop reply emails?" in client.get(link).content.decode()  # asks first
    response = client.post(link)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    outbox.clear()
    post(reply_to=parent.pk, body="Second reply")
    assert all(m.to != ["bea@example.com"] for m in outbox)


def test_mail_client_one_click_post_unsubscribes_without_a_csrf_token(poll):
    from django.test import Client
    from django.urls import reverse

    from comments.notifications import unsubscribe_token

    def unsubscribe_url(comment):
        return reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(comment)})

    comment = add(poll, email="bea@example.com", notify=True)
    response = Client(enforce_csrf_checks=True).post(unsubscribe_url(comment))
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.notify is False


def test_forged_unsubscribe_link_is_not_found(client, poll):
    comment = add(poll, notify=True)
    assert client.get(f"/comments/unsubscribe/{comment.pk}/").status_code == 404
    comment.refresh_from_db()
    assert comment.notify is True


def test_email_is_sent_by_a_task_outside_the_request(client, post, poll, outbox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    approved_commenter(poll, client)
    comment = post()
    assert outbox == []  # nothing sent during the request
    queued = [(r.task.name, r.kwargs) for r in default_task_backend.results]
    assert ("notify_poll_author", {"comment_id": comment.pk}) in queued
