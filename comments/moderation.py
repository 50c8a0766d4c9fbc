"""Moderating the discussion: status changes with their log, edits, deletes, reports.

The admin, the moderation command and the site all come through here; every write tells
the poll's version (core/versions.py), so no cached page shows what moderation changed.
"""

import ipaddress
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from comments import tasks
from comments.models import Comment, CommentReport, ModerationEvent
from core import versions
from polls.voters import Voter


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _status_set(*, comment: Comment, status: str, actor=None, note: str = "") -> Comment:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        previous = locked.status
        if status == Comment.Status.APPROVED:
            # Whoever approves it has seen these reports: they never count towards a hold
            # again (approving an approved comment answers them too).
            locked.reports.unreviewed().update(reviewed_at=timezone.now())
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
            tasks.latest_post_on_commit(locked)
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


def comment_latest_post_hide(*, comment: Comment, actor=None, hidden: bool = True) -> Comment:
    """Hide (or show again) the "recently posted" link under a comment; the comment stays."""
    return comment_edit(comment=comment, changes={"latest_post_hidden": hidden}, actor=actor)


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


@dataclass(frozen=True)
class Reporter:
    """Who reports: their voter key, their address, and whether they count towards a hold."""

    key: str
    network: str = ""
    established: bool = False


def reporter_for(*, voter: Voter, ip_address: str) -> Reporter:
    """The reporter behind a request: established with an account, or with a voter cookie
    issued COMMENTS_REPORTER_MIN_AGE seconds before the report (a script's fresh cookie
    jars are not); their address stands for one reader, an IPv6 /64 network too."""
    if voter.user is not None:
        established = True
    else:
        issued_at = voter.issued_at
        established = (
            not voter.is_new
            and issued_at is not None
            and time.time() - issued_at >= settings.COMMENTS_REPORTER_MIN_AGE
        )
    return Reporter(key=voter.key[:64], network=_network(ip_address), established=established)


def _network(ip_address: str) -> str:
    try:
        address = ipaddress.ip_address((ip_address or "").strip())
    except ValueError:
        return (ip_address or "")[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _immune_to_reports(comment: Comment) -> bool:
    """Staff and the poll's author speak for the site: readers' reports reach a moderator
    but never take their words down."""
    user = comment.user
    return user is not None and (user.is_staff or user.pk == comment.poll.author_id)


def comment_report(*, comment: Comment, reporter: Reporter, reason: str = "") -> CommentReport:
    """Record one reader's report; reports from COMMENTS_REPORTS_TO_HOLD established readers
    at as many addresses, made since a moderator last approved it, hold the comment."""
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError("This comment is not published.", code="not_visible")
    with transaction.atomic():
        report, _created = CommentReport.objects.get_or_create(
            comment=comment,
            reporter_key=reporter.key,
            defaults={
                "reason": reason[:500],
                "network": reporter.network,
                "counted": reporter.established,
            },
        )
        weight = CommentReport.objects.filter(comment=comment).unreviewed().weight()
        if weight >= settings.COMMENTS_REPORTS_TO_HOLD and not _immune_to_reports(comment):
            note = f"Reported by {weight} readers"
            held = _status_set(comment=comment, status=Comment.Status.PENDING, note=note)
            Comment.objects.filter(pk=held.pk).update(held_reasons=[*held.held_reasons, note])
    return report


def _held_by_reports(comment: Comment) -> bool:
    """Published once, and held since by readers' reports (not by a moderator)."""
    if comment.status != Comment.Status.PENDING or comment.approved_at is None:
        return False
    changes = [e for e in comment.moderation_log.all() if e.from_status != e.to_status]
    return (
        bool(changes) and changes[-1].actor_id is None and changes[-1].note.startswith("Reported")
    )


def comment_restore(*, comment: Comment, actor) -> Comment:
    """Publish again, at once, a comment that readers' reports held: the poll's trainer or a
    moderator may (the reports it has seen no longer count, as with any approval)."""
    if not may_review(user=actor, poll=comment.poll):
        raise PermissionDenied("Only the poll's trainer and moderators can restore a comment.")
    if not _held_by_reports(comment):
        raise ValidationError("This comment is not held after readers' reports.", code="not_held")
    return comment_approve(comment=comment, actor=actor)


def can_moderate(user) -> bool:
    """Staff who may change comments (the admin's moderation queue)."""
    return bool(
        user.is_authenticated and user.is_staff and user.has_perm("comments.change_comment")
    )


def may_review(*, user, poll) -> bool:
    """The poll's trainer and moderators may act on the comments awaiting review in it."""
    return can_moderate(user) or poll.is_managed_by(user)


# What the trainer's queue offers, and the service each button calls.
REVIEW_ACTIONS = {
    "approve": comment_approve,
    "spam": comment_mark_spam,
    "remove": comment_remove,
}


def review_queue(*, poll, limit: int = 50) -> list[Comment]:
    """The poll's new comments awaiting review, oldest first (those held after readers'
    reports are listed apart, with what the readers said: held_by_reports)."""
    return list(
        Comment.objects.for_poll(poll)
        .pending()
        .filter(approved_at__isnull=True)
        .select_related("in_reply_to")
        .order_by("created_at", "pk")[:limit]
    )


def comment_review(*, comment: Comment, action: str, actor) -> Comment:
    """The poll's trainer (or a moderator) approves, marks as spam or removes a comment
    that awaits review, through the same services as the admin."""
    if not may_review(user=actor, poll=comment.poll):
        raise PermissionDenied("Only the poll's trainer and moderators can review its comments.")
    service = REVIEW_ACTIONS.get(action)
    if service is None:
        raise ValidationError("Choose Approve, Spam or Remove.", code="bad_action")
    if comment.status != Comment.Status.PENDING:
        raise ValidationError("This comment was reviewed already.", code="not_pending")
    return service(comment=comment, actor=actor)


def with_comment_counts(polls: list) -> list:
    """These polls, each with ``comment_total`` (published) and ``comment_pending``
    (awaiting review) set, counted in one query."""
    rows = (
        Comment.objects.filter(poll_id__in=[poll.pk for poll in polls])
        .values_list("poll_id")
        .annotate(
            total=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
            pending=Count("pk", filter=Q(status=Comment.Status.PENDING)),
        )
        .order_by()
    )
    counts = {poll_id: (total, pending) for poll_id, total, pending in rows} if polls else {}
    for poll in polls:
        poll.comment_total, poll.comment_pending = counts.get(poll.pk, (0, 0))
    return polls


def pending_count() -> int:
    """How many comments wait in the moderation queue, across all polls."""
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


def held_by_reports(*, poll) -> list[Comment]:
    """The poll's comments that readers' reports took down, with the reasons they gave,
    for the people who may restore them."""
    candidates = (
        Comment.objects.for_poll(poll)
        .pending()
        .filter(approved_at__isnull=False)
        .order_by("path")
        .prefetch_related("reports", "moderation_log")
    )
    return [comment for comment in candidates[:100] if _held_by_reports(comment)]


def comment_unsubscribe(*, comment: Comment) -> int:
    """Stop reply emails for every comment posted with this comment's email address."""
    if comment.email:
        return Comment.objects.by_email(comment.email).update(notify=False)
    return Comment.objects.filter(pk=comment.pk).update(notify=False)
