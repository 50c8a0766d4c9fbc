"""The rendered thread is cached, and every write to the discussion refreshes it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import moderation
from comments.models import Comment
from tests.comments.helpers import add


def comment_queries(client, poll) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(poll.get_absolute_url())
    return sum("comments_comment" in q["sql"] for q in captured.captured_queries)


def test_second_view_of_the_thread_costs_no_comment_queries(client, poll):
    add(poll)
    # The first view reads the thread and, for the results beside it, the comments
    # supporting each choice; both are cached under the discussion's version.
    assert comment_queries(client, poll) == 2
    assert comment_queries(client, poll) == 0


def test_approving_a_held_comment_shows_it_on_an_already_cached_page(client, poll, moderator):
    held = add(poll, status=Comment.Status.PENDING, body="Held words")
    assert "Held words" not in client.get(poll.get_absolute_url()).content.decode()
    moderation.comment_approve(comment=held, actor=moderator)
    assert "Held words" in client.get(poll.get_absolute_url()).content.decode()


def test_removing_a_comment_takes_it_off_an_already_cached_page(client, poll, moderator):
    comment = add(poll, body="Soon gone")
    assert "Soon gone" in client.get(poll.get_absolute_url()).content.decode()
    moderation.comment_remove(comment=comment, actor=moderator)
    assert "Soon gone" not in client.get(poll.get_absolute_url()).content.decode()


def test_a_new_reply_shows_on_an_already_cached_page(client, poll):
    parent = add(poll)
    client.get(poll.get_absolute_url())
    reply = add(poll, parent=parent, body="Fresh reply")
    html = client.get(poll.get_absolute_url()).content.decode()
    assert f'<article id="comment-{reply.pk}"' in html
