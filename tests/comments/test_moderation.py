"""The moderation policy, status changes with their log, reports and tombstones."""

import pytest

from comments import moderation
from comments.models import Comment, ModerationEvent
from tests.comments.helpers import add, approved_commenter, form_data, post_url
from tests.factories import voter_client


@pytest.fixture
def post(client, poll, django_capture_on_commit_callbacks):
    def _post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(post_url(poll), form_data(client, **overrides))
        return Comment.objects.order_by("-pk").first()

    return _post


def test_first_time_anonymous_comment_is_held_with_its_reason_and_no_email(post, outbox):
    comment = post()
    assert comment.status == Comment.Status.PENDING
    assert comment.held_reasons == ["First comment from this browser"]
    assert outbox == []


def test_comment_with_three_links_is_held_with_its_reason_and_no_email(client, post, poll, outbox):
    approved_commenter(poll, client)
    comment = post(body="See https://a.example, https://b.example and https://c.example")
    assert comment.status == Comment.Status.PENDING
    assert comment.held_reasons == ["3 links (more than 2)"]
    assert outbox == []


def test_comment_with_two_links_is_published(client, post, poll):
    approved_commenter(poll, client)
    comment = post(body="See https://a.example and https://b.example")
    assert comment.status == Comment.Status.APPROVED


def test_comment_with_a_moderation_word_is_held_with_its_reason_and_no_email(
    client, post, poll, outbox, settings
):
    settings.COMMENTS_MODERATION_WORDS = ["webinar"]
    approved_commenter(poll, client)
    comment = post(body="Join my Webinar tomorrow.")
    assert comment.status == Comment.Status.PENDING
    assert comment.held_reasons == ["Contains a moderation word: webinar"]
    assert outbox == []


def test_default_moderation_words_hold_a_comment(client, post, poll):
    approved_commenter(poll, client)
    comment = post(body="Great post. We sell SEO services.")
    assert comment.status == Comment.Status.PENDING


def test_comment_with_a_disallowed_word_becomes_spam_without_email(client, post, poll, outbox):
    approved_commenter(poll, client)
    comment = post(body="Cheap viagra here")
    assert comment.status == Comment.Status.SPAM
    assert comment.held_reasons == ["Contains a disallowed word: viagra"]
    assert outbox == []


def test_disallowed_word_in_the_name_also_counts(client, post, poll):
    approved_commenter(poll, client)
    comment = post(name="Casino Bonus King")
    assert comment.status == Comment.Status.SPAM


def test_first_time_rule_can_be_switched_off(post, settings):
    settings.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS = False
    assert post().status == Comment.Status.APPROVED


def test_signed_in_reader_is_not_held_as_a_first_timer(client, poll, reader):
    client.force_login(reader)
    client.post(post_url(poll), form_data(client))
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_approval_is_logged_with_who_and_when(poll, moderator):
    comment = add(poll, status=Comment.Status.PENDING)
    moderation.comment_approve(comment=comment, actor=moderator)
    event = ModerationEvent.objects.filter(comment=comment).last()
    assert (event.actor, event.from_status, event.to_status) == (
        moderator,
        "pending",
        "approved",
    )
    assert event.created_at is not None


def test_approving_a_parent_does_not_publish_a_reply_a_moderator_rejected(client, poll, moderator):
    parent = add(poll, status=Comment.Status.PENDING, body="Parent text")
    reply = add(poll, parent=parent, status=Comment.Status.APPROVED, body="Reply text")
    moderation.comment_mark_spam(comment=reply, actor=moderator)
    moderation.comment_approve(comment=parent, actor=moderator)
    reply.refresh_from_db()
    assert reply.status == Comment.Status.SPAM
    html = client.get(f"/polls/{poll.slug}/").content.decode()
    assert "Parent text" in html and "Reply text" not in html


def test_removed_comment_with_visible_replies_stays_as_a_tombstone(client, poll, moderator):
    parent = add(poll, name="Nadia", body="Original words")
    add(poll, parent=parent, name="Bea", body="Reply words")
    moderation.comment_remove(comment=parent, actor=moderator)
    html = client.get(f"/polls/{poll.slug}/").content.decode()
    assert f'<article id="comment-{parent.pk}"' in html
    assert "This comment was removed." in html
    assert "Nadia" not in html and "Original words" not in html
    assert "Reply words" in html


def test_removed_comment_without_replies_disappears(client, poll, moderator):
    comment = add(poll, name="Nadia", body="Original words")
    moderation.comment_remove(comment=comment, actor=moderator)
    html = client.get(f"/polls/{poll.slug}/").content.decode()
    assert f'id="comment-{comment.pk}"' not in html
    assert "This comment was removed." not in html


def test_removed_comment_whose_replies_are_all_hidden_disappears(client, poll, moderator):
    parent = add(poll, body="Original words")
    add(poll, parent=parent, status=Comment.Status.SPAM, body="Spam reply")
    moderation.comment_remove(comment=parent, actor=moderator)
    html = client.get(f"/polls/{poll.slug}/").content.decode()
    assert "This comment was removed." not in html


def test_enough_reports_send_a_comment_back_to_pending(client, poll, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    comment = add(poll, body="Questionable")
    for index in range(2):  # readers who have been around for a day, each at home
        reporter = voter_client(issued_ago=86400, REMOTE_ADDR=f"198.51.100.{index + 1}")
        reporter.post(f"/comments/{comment.pk}/report/", {"reason": f"rude {index}"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "Reported by 2 readers" in comment.held_reasons
    assert "Questionable" not in client.get(f"/polls/{poll.slug}/").content.decode()


def test_one_reader_reporting_twice_counts_once(client, poll, settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 2
    comment = add(poll)
    client.get(f"/polls/{poll.slug}/")
    for _ in range(2):
        response = client.post(f"/comments/{comment.pk}/report/", {"reason": "rude"})
        assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.reports.count() == 1


def test_report_page_asks_for_confirmation(client, poll):
    comment = add(poll, name="Bea")
    html = client.get(f"/comments/{comment.pk}/report/").content.decode()
    assert "Report comment" in html and "Bea" in html


def test_a_hidden_comment_cannot_be_reported(client, poll):
    comment = add(poll, status=Comment.Status.PENDING)
    assert client.get(f"/comments/{comment.pk}/report/").status_code == 404
    assert client.post(f"/comments/{comment.pk}/report/").status_code == 404
