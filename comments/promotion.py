"""Promoting an alternative definition: the poll's trainer adds it as a choice.

One service for the page, the admin action and the ``promote_alternative`` command. The
choice itself is added by polls (polls/choices.py, under the poll's exclusive lock, so it
never interleaves with a vote); the link back to the comment lives here, in a Promotion
row (who, when, from which comment), because polls knows nothing of comments.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from comments.alternatives import definition_text
from comments.models import Comment, Promotion
from polls import choices
from polls.locks import poll_lock
from polls.models import Choice


def alternative_promote(*, comment: Comment, actor) -> Promotion:
    """Add this approved alternative definition to its poll as a new choice (once)."""
    poll = comment.poll
    if actor is None or not poll.is_managed_by(actor):
        raise ValidationError(
            "Only the poll's trainer can add a definition as a choice.", code="not_allowed"
        )
    try:
        with transaction.atomic():
            # Promotions of one poll wait for each other here (and votes wait for them).
            poll_lock(poll.pk, shared=False)
            current = Comment.objects.select_for_update().get(pk=comment.pk)
            if not (current.is_alternative and current.status == Comment.Status.APPROVED):
                raise ValidationError(
                    "Only a published alternative definition can be added.",
                    code="not_available",
                )
            if Promotion.objects.filter(comment=current, undone_at__isnull=True).exists():
                raise ValidationError(
                    "This definition is already a choice of the poll.", code="already_added"
                )
            choice = choices.choice_add(poll=poll, text=definition_text(current))
            return Promotion.objects.create(
                poll=poll,
                comment=current,
                choice=choice,
                choice_text=choice.text,
                suggested_by=current.name,
                promoted_by=actor,
            )
    except IntegrityError:  # promotion_once: another click won
        raise ValidationError(
            "This definition is already a choice of the poll.", code="already_added"
        ) from None


def promotion_undo(*, promotion: Promotion, actor) -> None:
    """Take the choice back out of the poll, while nobody has voted for it."""
    if actor is None or not promotion.poll.is_managed_by(actor):
        raise ValidationError("Only the poll's trainer can undo this.", code="not_allowed")
    with transaction.atomic():
        poll_lock(promotion.poll_id, shared=False)
        current = Promotion.objects.select_for_update().get(pk=promotion.pk)
        if current.undone_at is not None or current.choice_id is None:
            raise ValidationError("This was undone already.", code="undone")
        choice = Choice.objects.get(pk=current.choice_id)
        current.undone_at = timezone.now()
        current.undone_by = actor
        current.save(update_fields=["undone_at", "undone_by"])
        choices.choice_remove(choice=choice)


def live_promotion(*, comment: Comment) -> Promotion | None:
    return (
        Promotion.objects.filter(comment=comment, undone_at__isnull=True)
        .select_related("choice")
        .first()
    )


@dataclass(frozen=True)
class ChoiceCredit:
    """ "suggested by NAME", linking to the comment while readers can see it."""

    name: str
    url: str  # empty: the comment is no longer available


def choice_credits(poll_id: int) -> dict[int, ChoiceCredit]:
    """The credit of each promoted choice of a poll, by choice id (one query, and one more
    for the comments' status when the poll has promoted choices)."""
    rows = list(
        Promotion.objects.filter(
            poll_id=poll_id, undone_at__isnull=True, choice__isnull=False
        ).values_list("choice_id", "suggested_by", "comment_id")
    )
    if not rows:
        return {}
    shown = set(
        Comment.objects.filter(pk__in=[row[2] for row in rows if row[2]])
        .visible()
        .values_list("pk", flat=True)
    )
    credits = {}
    for choice_id, name, comment_id in rows:
        url = ""
        if comment_id in shown:
            permalink = reverse("comments:permalink", kwargs={"pk": comment_id})
            url = f"{permalink}#comment-{comment_id}"
        credits[choice_id] = ChoiceCredit(name=name, url=url)
    return credits
