"""Notification emails: who hears about a comment, what they get, and one-click unsubscribe.

Sent outside the request by comments/tasks.py (django-tasks: a worker in production).
"""

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from comments.models import Comment
from core.links import absolute_url
from core.text import one_line

_UNSUBSCRIBE_SALT = "comments.unsubscribe"


def unsubscribe_token(comment: Comment) -> str:
    return signing.dumps(comment.pk, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_comment(token: str) -> Comment | None:
    """The comment an unsubscribe link was made for, or None if the link is not valid."""
    try:
        pk = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Comment.objects.filter(pk=pk).select_related("poll").first()


def absolute(path: str) -> str:
    return absolute_url(path)


def _send(
    comment: Comment, *, to: str, subject: str, template: str, extra=None, headers=None
) -> None:
    """One email about `comment`: its templates see the comment, its poll, the comment's
    absolute address, and whatever `extra` adds."""
    context = {
        "comment": comment,
        "poll": comment.poll,
        "comment_url": absolute(comment.get_absolute_url()),
        **(extra or {}),
    }
    text = render_to_string(f"comments/email/{template}.txt", context)
    html = render_to_string(f"comments/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=one_line(subject)[:200], body=text, to=[to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _approved(comment_id: int) -> Comment | None:
    return (
        Comment.objects.select_related("poll", "poll__author", "in_reply_to")
        .filter(pk=comment_id, status=Comment.Status.APPROVED)
        .first()
    )


def send_new_comment(comment_id: int) -> bool:
    """Tell the poll's author about a newly approved comment (not about their own)."""
    comment = _approved(comment_id)
    if comment is None:
        return False
    return _tell_poll_author(
        comment, subject=f"New comment on “{comment.poll.question}”", template="new_comment"
    )


def _tell_poll_author(comment: Comment, **email) -> bool:
    """Email the poll's author about someone else's comment (if they have an address)."""
    author = comment.poll.author
    if not author.email or comment.user_id == author.pk:
        return False
    _send(comment, to=author.email, **email)
    return True


def send_reply(comment_id: int) -> bool:
    """Tell the person replied to, if they asked for it, about an approved reply."""
    comment = _approved(comment_id)
    if comment is None or comment.in_reply_to is None:
        return False
    target = comment.in_reply_to
    if not target.notify or not target.email:
        return False
    if comment.email and comment.email.lower() == target.email.lower():
        return False  # answering yourself
    if target.user_id and target.user_id == comment.poll.author_id:
        return False  # the author hears about every comment already
    token = unsubscribe_token(target)
    unsubscribe = absolute(reverse("comments:unsubscribe", kwargs={"token": token}))
    _send(
        comment,
        to=target.email,
        subject=f"A reply to your comment on “{comment.poll.question}”",
        template="reply",
        extra={"unsubscribe_url": unsubscribe},
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    return True


def send_pending_review(comment_id: int) -> bool:
    """Tell the poll's trainer, if they asked for it on the poll, that a new comment awaits
    their review (the link opens their queue on the poll page)."""
    comment = (
        Comment.objects.select_related("poll", "poll__author")
        .filter(pk=comment_id, status=Comment.Status.PENDING, approved_at__isnull=True)
        .first()
    )
    if comment is None or not comment.poll.notify_pending:
        return False
    return _tell_poll_author(
        comment,
        subject=f"A comment awaits your review on “{comment.poll.question}”",
        template="pending_review",
        extra={"queue_url": absolute(f"{comment.poll.get_absolute_url()}#review-queue")},
    )
