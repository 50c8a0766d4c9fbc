"""Fifty people replying to one comment at the same moment, each on its own connection."""

import threading

import pytest
from django.db import close_old_connections, connection

from comments import posting
from comments.models import Comment
from tests.comments.helpers import add, approved_commenter, article_ids
from tests.factories import make_poll, make_user

REPLIES = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_replies_to_one_parent_are_all_kept_once_in_order(client, settings):
    settings.COMMENTS_PER_PAGE = 1000
    poll = make_poll(author=make_user("host"))
    parent = add(poll, name="Parent")
    for index in range(REPLIES):
        approved_commenter(poll, key=f"anon:replier{index}")
    start = threading.Barrier(REPLIES)
    errors: list[BaseException] = []

    def reply(index: int) -> None:
        try:
            start.wait(timeout=30)
            posting.comment_post(
                poll=poll,
                reply_to=parent,
                author=posting.Author(
                    key=f"anon:replier{index}",
                    name=f"Replier {index}",
                    email=f"replier{index}@example.com",
                ),
                body=f"Reply number {index}",
            )
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(i,)) for i in range(REPLIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    assert errors == []
    replies = list(Comment.objects.filter(parent=parent).order_by("path"))
    assert len(replies) == REPLIES
    assert len({r.path for r in replies}) == REPLIES
    assert {r.body for r in replies} == {f"Reply number {i}" for i in range(REPLIES)}
    # Shown once each, in one consistent order (the path order) on every page load.
    first = article_ids(client.get(poll.get_absolute_url()).content.decode())
    reply_ids = [r.pk for r in replies]
    assert [pk for pk in first if pk in set(reply_ids)] == reply_ids
    assert article_ids(client.get(poll.get_absolute_url()).content.decode()) == first
