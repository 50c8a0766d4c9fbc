"""Moderating the discussion: status changes with their log, edits, deletes, reports.

The admin, the moderation command and the site all come through here; every write tells
the poll's version (core/versions.py), so no cached page shows what moderation changed.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from comments import tasks
from comments.models import Comment, CommentReport, ModerationEvent
from core import versions


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


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
            actor=_actor(actor),
            from_status=previous,
            to_status=status,
            note=note[:300],
        )
        if first_approval:
            tasks.notify_on_commit(locked)
        versions.content_changed(poll_id=locked.poll_id)
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


def comment_edit(*, comment: Comment, changes: dict[str, Any], actor=None) -> Comment:
    """Save a moderator's edit of these fields only (name, text, website…), logged.

    Only the edited fields are written, so an edit never undoes what happened while the
    form was open (a hold by readers' reports, an unsubscribe).
    """
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        if changes:
            locked.save(update_fields=list(changes))
        ModerationEvent.objects.create(
            comment=locked,
            actor=_actor(actor),
            from_status=locked.status,
            to_status=locked.status,
            note=f"Edited by a moderator: {', '.join(changes) or 'nothing'}"[:300],
        )
        versions.content_changed(poll_id=locked.poll_id)
    return locked


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
        locked.delete()
        versions.content_changed(poll_id=locked.poll_id)
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


def comment_unsubscribe(*, comment: Comment) -> int:
    """Stop reply emails for every comment posted with this comment's email address."""
    if comment.email:
        return Comment.objects.by_email(comment.email).update(notify=False)
    return Comment.objects.filter(pk=comment.pk).update(notify=False)
