"""Writes with rules: posting, moderating, reporting and deleting comments.

Views, the admin, commands and the demo loader all come through here, so the policy, the
moderation log, the tree rules and the notifications hold everywhere.
"""

import ipaddress
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial, wraps
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from comments import cache as thread_cache
from comments.models import (
    PATH_MAX_POSITION,
    PATH_STEP,
    Comment,
    CommentReport,
    ModerationEvent,
    path_segment,
)
from polls.markup import render_markdown
from polls.models import Poll

_LINK = re.compile(r"<a\s", re.I)
_LOCK_RETRIES = 40
T = TypeVar("T")


@dataclass(frozen=True)
class PolicyVerdict:
    status: str
    reasons: list[str] = field(default_factory=list)


def _word_hits(words: list[str], text: str) -> list[str]:
    hits = []
    for word in words:
        word = word.strip()
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I):
            hits.append(word)
    return hits


def comment_policy_check(
    *, poll: Poll, user, name: str, email: str, website: str, body_html: str, body: str
) -> PolicyVerdict:
    """What the moderation policy says about a new comment: approved, pending or spam."""
    text = "\n".join([name, email, website, body])
    disallowed = _word_hits(settings.COMMENTS_DISALLOWED_WORDS, text)
    if disallowed:
        return PolicyVerdict(
            Comment.Status.SPAM, [f"Contains a disallowed word: {', '.join(disallowed)}"]
        )
    trusted = user is not None and (user.is_staff or user.pk == poll.author_id)
    if trusted:
        return PolicyVerdict(Comment.Status.APPROVED)
    reasons = []
    if (
        user is None
        and settings.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS
        and not Comment.objects.by_email(email).visible().exists()
    ):
        reasons.append("First comment from this email address")
    links = len(_LINK.findall(body_html))
    if links > settings.COMMENTS_MAX_LINKS:
        reasons.append(f"{links} links (more than {settings.COMMENTS_MAX_LINKS})")
    moderation = _word_hits(settings.COMMENTS_MODERATION_WORDS, text)
    if moderation:
        reasons.append(f"Contains a moderation word: {', '.join(moderation)}")
    if reasons:
        return PolicyVerdict(Comment.Status.PENDING, reasons)
    return PolicyVerdict(Comment.Status.APPROVED)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _next_path(*, poll: Poll, parent: Comment | None) -> str:
    siblings = Comment.objects.filter(poll=poll, parent=parent)
    last = siblings.aggregate(last=Max("path"))["last"]
    position = int(last[-PATH_STEP:]) + 1 if last else 1
    if position > PATH_MAX_POSITION:
        raise ValidationError("This thread cannot take more replies.", code="thread_full")
    return (parent.path if parent else "") + path_segment(position)


def comment_insert(
    *,
    poll: Poll,
    parent: Comment | None,
    name: str,
    body: str,
    status: str,
    email: str = "",
    website: str = "",
    user=None,
    notify: bool = False,
    reasons: list[str] | None = None,
    in_reply_to: Comment | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Comment:
    """Place a new comment in the tree (no policy, no email): the sibling position is taken
    under a lock on the parent (or the poll), and the unique path is the final guard."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                if parent is not None:
                    parent = Comment.objects.select_for_update().get(pk=parent.pk)
                else:
                    Poll.objects.select_for_update().filter(pk=poll.pk).first()
                path = _next_path(poll=poll, parent=parent)
                comment = Comment(
                    poll=poll,
                    parent=parent,
                    in_reply_to=in_reply_to or parent,
                    path=path,
                    depth=len(path) // PATH_STEP - 1,
                    name=name,
                    email=email,
                    website=website,
                    body=body,
                    user=user,
                    notify=notify,
                    status=status,
                    held_reasons=reasons or [],
                    ip_address=_valid_ip(ip_address),
                    user_agent=user_agent[:300],
                    approved_at=timezone.now() if status == Comment.Status.APPROVED else None,
                )
                comment.save()
                ModerationEvent.objects.create(
                    comment=comment, to_status=status, note="; ".join(reasons or [])[:300]
                )
        except IntegrityError:
            if attempt == 4:
                raise
            continue
        thread_cache.invalidate(poll_id=poll.pk)
        return comment
    raise AssertionError("unreachable")  # pragma: no cover


def comment_reply_parent(*, target: Comment) -> Comment:
    """Where a reply to `target` goes: under it, or beside it at the deepest level."""
    if target.depth + 1 >= settings.COMMENTS_MAX_DEPTH:
        return target.parent if target.parent_id else target
    return target


def _retry_when_locked(operation: Callable[[], T]) -> T:
    """Run `operation`, again after a short random pause if SQLite reports a lock.

    PostgreSQL waits on row locks by itself. SQLite waits for its busy timeout, but can
    still give up under a burst of writers (and a shared-cache database, as the test
    runner uses, never waits at all); nothing was written then, so trying again is safe.
    """
    for attempt in range(_LOCK_RETRIES):
        try:
            return operation()
        except OperationalError as error:
            if (
                "locked" not in str(error)
                or connection.in_atomic_block
                or attempt == _LOCK_RETRIES - 1
            ):
                raise
            time.sleep(random.uniform(0.005, min(0.25, 0.01 * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover


def _retried_when_locked(function: Callable[..., T]) -> Callable[..., T]:
    @wraps(function)
    def wrapper(*args, **kwargs) -> T:
        return _retry_when_locked(partial(function, *args, **kwargs))

    return wrapper


@_retried_when_locked
def comment_post(
    *,
    poll: Poll,
    body: str,
    user=None,
    name: str = "",
    email: str = "",
    website: str = "",
    reply_to: Comment | None = None,
    notify: bool = False,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Comment:
    """Post a comment (or a reply) under the policy; notify people once it is approved."""
    if not poll.is_published:
        raise ValidationError("Comments open when the poll is published.", code="not_published")
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None:
        name = user.get_full_name() or user.get_username()
        email = user.email or ""
    name = (name or "").strip()
    body = (body or "").strip()
    if not name:
        raise ValidationError("Please give your name.", code="name_required")
    if not body:
        raise ValidationError("Please write a comment.", code="body_required")
    if len(body) > settings.COMMENTS_MAX_LENGTH:
        raise ValidationError(
            f"A comment can be at most {settings.COMMENTS_MAX_LENGTH} characters.",
            code="too_long",
        )
    parent = None
    if reply_to is not None:
        if reply_to.poll_id != poll.pk or reply_to.status != Comment.Status.APPROVED:
            raise ValidationError("That comment cannot be replied to.", code="bad_parent")
        parent = comment_reply_parent(target=reply_to)

    verdict = comment_policy_check(
        poll=poll,
        user=user,
        name=name,
        email=email,
        website=website,
        body=body,
        body_html=render_markdown(body),
    )
    comment = comment_insert(
        poll=poll,
        parent=parent,
        in_reply_to=reply_to,
        name=name,
        email=email,
        website=website,
        body=body,
        user=user,
        notify=notify and bool(email),
        status=verdict.status,
        reasons=verdict.reasons,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    if comment.status == Comment.Status.APPROVED:
        _notify_on_commit(comment)
    return comment


def _notify_on_commit(comment: Comment) -> None:
    from comments import tasks

    transaction.on_commit(partial(tasks.notify_poll_author.enqueue, comment_id=comment.pk))
    if comment.in_reply_to_id:
        transaction.on_commit(partial(tasks.notify_reply.enqueue, comment_id=comment.pk))


def _status_set(*, comment: Comment, status: str, actor=None, note: str = "") -> Comment:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        previous = locked.status
        if previous == status:
            return locked
        first_approval = status == Comment.Status.APPROVED and locked.approved_at is None
        locked.status = status
        fields = ["status"]
        if first_approval:
            locked.approved_at = timezone.now()
            fields.append("approved_at")
        if status == Comment.Status.APPROVED:
            locked.held_reasons = []
            fields.append("held_reasons")
        locked.save(update_fields=fields)
        ModerationEvent.objects.create(
            comment=locked,
            actor=actor if actor is not None and actor.is_authenticated else None,
            from_status=previous,
            to_status=status,
            note=note[:300],
        )
        if first_approval:
            _notify_on_commit(locked)
    thread_cache.invalidate(poll_id=locked.poll_id)
    return locked


def comment_approve(*, comment: Comment, actor=None) -> Comment:
    """Publish one comment; its replies keep their own status (a rejected reply stays out)."""
    return _status_set(comment=comment, status=Comment.Status.APPROVED, actor=actor)


def comment_mark_spam(*, comment: Comment, actor=None) -> Comment:
    return _status_set(comment=comment, status=Comment.Status.SPAM, actor=actor)


def comment_remove(*, comment: Comment, actor=None, note: str = "") -> Comment:
    """Hide a comment; if it has visible replies it stays as a tombstone so they survive."""
    return _status_set(comment=comment, status=Comment.Status.REMOVED, actor=actor, note=note)


def comment_hold(*, comment: Comment, actor=None, note: str = "") -> Comment:
    return _status_set(comment=comment, status=Comment.Status.PENDING, actor=actor, note=note)


def comment_delete(*, comment: Comment, actor=None) -> bool:
    """Delete a comment without replies; one with replies is removed instead (a tombstone).

    Returns True when the row was deleted."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if locked is None:
            return True
        if Comment.objects.filter(parent=locked).exists():
            comment_remove(
                comment=locked, actor=actor, note="Deleted with replies: kept as tombstone"
            )
            return False
        poll_id = locked.poll_id
        locked.delete()
    thread_cache.invalidate(poll_id=poll_id)
    return True


def comment_delete_many(*, comments, actor=None) -> tuple[int, int]:
    """Delete several comments, deepest first; ones that still have replies become tombstones.

    Returns (deleted, kept as tombstones)."""
    deleted = kept = 0
    for comment in sorted(comments, key=lambda c: (c.depth, c.path), reverse=True):
        if comment_delete(comment=comment, actor=actor):
            deleted += 1
        else:
            kept += 1
    return deleted, kept


def comment_report(*, comment: Comment, reporter_key: str, reason: str = "") -> CommentReport:
    """Record one reader's report; enough reports send an approved comment back to pending."""
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError("This comment is not published.", code="not_visible")
    with transaction.atomic():
        report, _created = CommentReport.objects.get_or_create(
            comment=comment, reporter_key=reporter_key[:64], defaults={"reason": reason[:500]}
        )
        count = CommentReport.objects.filter(comment=comment).count()
        if count >= settings.COMMENTS_REPORTS_TO_HOLD:
            held = _status_set(
                comment=comment,
                status=Comment.Status.PENDING,
                note=f"Reported by {count} readers",
            )
            reasons = [*held.held_reasons, f"Reported by {count} readers"]
            Comment.objects.filter(pk=held.pk).update(held_reasons=reasons)
    return report


def comment_update(*, comment: Comment, actor=None) -> Comment:
    """Save a moderator's edit (name, text, website...) and drop the cached thread."""
    with transaction.atomic():
        comment.save()
        ModerationEvent.objects.create(
            comment=comment,
            actor=actor if actor is not None and actor.is_authenticated else None,
            from_status=comment.status,
            to_status=comment.status,
            note="Edited by a moderator",
        )
    thread_cache.invalidate(poll_id=comment.poll_id)
    return comment


def comment_unsubscribe(*, comment: Comment) -> int:
    """Stop reply emails for every comment posted with this comment's email address."""
    if comment.email:
        return Comment.objects.by_email(comment.email).update(notify=False)
    return Comment.objects.filter(pk=comment.pk).update(notify=False)
