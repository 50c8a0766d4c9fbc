"""Notification emails, and finding a commenter's latest post, as background tasks
(django-tasks: immediate in development and tests, a database-backed worker in production),
enqueued once the comment is committed."""

from functools import partial

from django.db import transaction
from django_tasks import task

from comments import latest_post, notifications
from comments.models import Comment


@task()
def notify_poll_author(comment_id: int) -> bool:
    return notifications.send_new_comment(comment_id)


@task()
def notify_reply(comment_id: int) -> bool:
    return notifications.send_reply(comment_id)


@task()
def notify_pending_review(comment_id: int) -> bool:
    return notifications.send_pending_review(comment_id)


def review_on_commit(comment: Comment) -> None:
    """Once this transaction commits, tell the poll's trainer (if they asked) that the
    comment awaits their review."""
    if comment.poll.notify_pending:
        transaction.on_commit(partial(notify_pending_review.enqueue, comment_id=comment.pk))


def notify_on_commit(comment: Comment) -> None:
    """Once this transaction commits, tell the poll's author and the person replied to."""
    transaction.on_commit(partial(notify_poll_author.enqueue, comment_id=comment.pk))
    if comment.in_reply_to_id:
        transaction.on_commit(partial(notify_reply.enqueue, comment_id=comment.pk))


@task()
def fetch_latest_post(comment_id: int) -> bool:
    return latest_post.latest_post_fetch(comment_id=comment_id)


def latest_post_on_commit(comment: Comment) -> None:
    """Once this transaction commits, look for the latest post of a published comment's
    commenter, if they asked for it (the task reads the committed row)."""
    if comment.show_latest_post and comment.website:
        transaction.on_commit(partial(fetch_latest_post.enqueue, comment_id=comment.pk))
