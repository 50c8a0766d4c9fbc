"""Notification emails, sent outside the request by django-tasks (a worker in production)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

from comments.models import Comment


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(*, to: str, subject: str, template: str, context: dict, headers=None) -> None:
    text = render_to_string(f"comments/email/{template}.txt", context)
    html = render_to_string(f"comments/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:200], body=text, to=[to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _approved(comment_id: int) -> Comment | None:
    return (
        Comment.objects.select_related("poll", "poll__author", "in_reply_to")
        .filter(pk=comment_id, status=Comment.Status.APPROVED)
        .first()
    )


@task()
def notify_poll_author(comment_id: int) -> bool:
    """Tell the poll's author about a newly approved comment (not about their own)."""
    comment = _approved(comment_id)
    if comment is None:
        return False
    author = comment.poll.author
    if not author.email or comment.user_id == author.pk:
        return False
    _send(
        to=author.email,
        subject=f"New comment on “{comment.poll.question}”",
        template="new_comment",
        context={
            "comment": comment,
            "poll": comment.poll,
            "comment_url": _absolute(comment.get_absolute_url()),
        },
    )
    return True


@task()
def notify_reply(comment_id: int) -> bool:
    """Tell the person replied to, if they asked for it, about an approved reply."""
    from comments.views import unsubscribe_url

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
    unsubscribe = _absolute(unsubscribe_url(target))
    _send(
        to=target.email,
        subject=f"A reply to your comment on “{comment.poll.question}”",
        template="reply",
        context={
            "comment": comment,
            "poll": comment.poll,
            "comment_url": _absolute(comment.get_absolute_url()),
            "unsubscribe_url": unsubscribe,
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    return True
