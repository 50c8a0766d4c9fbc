"""The moderation queue in the Django admin."""

import pytest

from comments.models import Comment, ModerationEvent
from tests.comments.helpers import add, form_fields

CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def admin_client(client, moderator):
    client.force_login(moderator)
    return client


def test_moderator_first_sees_the_pending_queue(admin_client, poll):
    add(poll, body="Waiting words", status=Comment.Status.PENDING)
    add(poll, body="Published words")
    html = admin_client.get(CHANGELIST).content.decode()
    assert "Waiting words" in html
    assert "Published words" not in html


def test_all_comments_are_one_click_away(admin_client, poll):
    add(poll, body="Waiting words", status=Comment.Status.PENDING)
    add(poll, body="Published words")
    html = admin_client.get(CHANGELIST + "?status=all").content.decode()
    assert "Waiting words" in html and "Published words" in html


def test_queue_shows_why_a_comment_was_held(admin_client, poll):
    add(poll, status=Comment.Status.PENDING, reasons=["3 links (more than 2)"])
    assert "3 links (more than 2)" in admin_client.get(CHANGELIST).content.decode()


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve_selected", Comment.Status.APPROVED),
        ("mark_spam_selected", Comment.Status.SPAM),
        ("remove_selected", Comment.Status.REMOVED),
    ],
)
def test_bulk_actions_change_status_and_log_the_moderator(
    admin_client, poll, moderator, action, status
):
    comments = [add(poll, status=Comment.Status.PENDING) for _ in range(2)]
    response = admin_client.post(
        CHANGELIST, {"action": action, "_selected_action": [c.pk for c in comments]}
    )
    assert response.status_code == 302
    for comment in comments:
        comment.refresh_from_db()
        assert comment.status == status
        assert ModerationEvent.objects.filter(
            comment=comment, actor=moderator, to_status=status
        ).exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [("Zebedee", "name"), ("zeb@example.org", "email"), ("marmalade", "body"), ("thing", "poll")],
)
def test_search_finds_comments_by_name_email_text_and_poll(admin_client, poll, query, field):
    add(poll, name="Zebedee", email="zeb@example.org", body="Orange marmalade", status="pending")
    add(
        poll.__class__.objects.create(question="Other", slug="other", author=poll.author),
        name="Quiet",
        body="Nothing",
        status="pending",
    )
    html = admin_client.get(CHANGELIST, {"q": query, "status": "all"}).content.decode()
    assert "Orange marmalade" in html
    if field != "poll":
        assert "Nothing" not in html


def test_admin_delete_of_a_comment_with_replies_keeps_the_replies(admin_client, poll):
    parent = add(poll, body="Parent")
    reply = add(poll, parent=parent, body="Reply words")
    response = admin_client.post(f"{CHANGELIST}{parent.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.status == Comment.Status.REMOVED
    assert Comment.objects.filter(pk=reply.pk, status=Comment.Status.APPROVED).exists()
    html = admin_client.get(f"/polls/{poll.slug}/").content.decode()
    assert "This comment was removed." in html and "Reply words" in html


def test_admin_delete_of_a_comment_without_replies_deletes_it(admin_client, poll):
    comment = add(poll)
    admin_client.post(f"{CHANGELIST}{comment.pk}/delete/", {"post": "yes"})
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_admin_delete_confirmation_does_not_refuse_because_of_replies(admin_client, poll):
    parent = add(poll)
    add(poll, parent=parent)
    html = admin_client.get(f"{CHANGELIST}{parent.pk}/delete/").content.decode()
    assert '<input type="submit" value="Yes, I' in html
    assert "protected" not in html.lower()


def test_bulk_delete_never_cascades_through_replies(admin_client, poll):
    parent = add(poll, body="Parent")
    reply = add(poll, parent=parent, body="Reply")
    leaf = add(poll, body="Leaf")
    response = admin_client.post(
        CHANGELIST + "?status=all",
        {"action": "delete_selected", "_selected_action": [parent.pk, leaf.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=leaf.pk).exists()
    assert Comment.objects.get(pk=parent.pk).status == Comment.Status.REMOVED
    assert Comment.objects.get(pk=reply.pk).status == Comment.Status.APPROVED


def test_bulk_delete_of_a_whole_subtree_deletes_it_all(admin_client, poll):
    parent = add(poll)
    reply = add(poll, parent=parent)
    admin_client.post(
        CHANGELIST + "?status=all",
        {"action": "delete_selected", "_selected_action": [parent.pk, reply.pk], "post": "yes"},
    )
    assert not Comment.objects.exists()


def test_admin_list_shows_names_escaped(admin_client, poll):
    add(poll, name="<b>Bold</b>", status=Comment.Status.PENDING)
    html = admin_client.get(CHANGELIST).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<b>Bold</b>" not in html


def test_deleting_a_poll_deletes_its_thread(poll):
    parent = add(poll)
    add(poll, parent=parent)
    poll.delete()
    assert not Comment.objects.exists()


def test_moderator_edit_shows_on_the_page_at_once(admin_client, poll):
    comment = add(poll, name="Bea", body="Original text")
    assert "Original text" in admin_client.get(poll.get_absolute_url()).content.decode()
    url = f"{CHANGELIST}{comment.pk}/change/"
    data = form_fields(admin_client.get(url).content.decode())
    data["body"] = "Edited text"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    html = admin_client.get(poll.get_absolute_url()).content.decode()
    assert "Edited text" in html and "Original text" not in html


def test_a_moderators_open_form_keeps_a_report_hold_and_an_unsubscribe_made_meanwhile(
    admin_client, poll
):
    """The moderator opens a comment's form; meanwhile readers' reports hold it and its
    author unsubscribes from reply emails; saving the form (a typo fixed in the text)
    undoes neither."""
    from comments import moderation
    from comments.notifications import unsubscribe_token
    from tests.factories import voter_client

    comment = add(poll, name="Bea", email="bea@example.com", body="Teh point.", notify=True)
    url = f"{CHANGELIST}{comment.pk}/change/"
    loaded = form_fields(admin_client.get(url).content.decode())
    assert loaded["notify"] == "on"

    for number in range(poll_reports_to_hold()):
        reader = voter_client(issued_ago=86400, REMOTE_ADDR=f"198.51.100.{number + 1}")
        reader.post(f"/comments/{comment.pk}/report/", {"reason": "rude"})
    unsubscribe = f"/comments/unsubscribe/{unsubscribe_token(comment)}/"
    assert admin_client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 200
    comment.refresh_from_db()
    assert (comment.status, comment.notify) == (Comment.Status.PENDING, False)

    loaded["body"] = "The point."
    response = admin_client.post(url, loaded)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "The point."
    assert comment.status == Comment.Status.PENDING
    assert comment.notify is False
    assert moderation.held_by_reports(poll=poll) == [comment]


def poll_reports_to_hold() -> int:
    from django.conf import settings

    return settings.COMMENTS_REPORTS_TO_HOLD
