"""Notification emails as background tasks (django-tasks: immediate in development and
tests, a database-backed worker in production), enqueued once the comment is committed."""

from functools import partial

from django.db import transaction
from django_tasks import task

from comments import notifications
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
