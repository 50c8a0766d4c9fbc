"""Choices that come to a poll after it is written: the write-in ("something else") choice
that Poll.write_in keeps, and one choice added to a running poll (a promoted alternative
definition, comments/promotion.py) or taken back while nobody has voted for it.

Each write takes the poll's lock exclusive (polls/locks.py), as every edit does, so it never
interleaves with a vote, and tells the poll's version (core/versions.py).
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core import versions
from core.text import single_line
from polls.locks import poll_lock
from polls.models import Ballot, Choice, Poll

WRITE_IN_TEXT = "Something else"
# Far after any choice a trainer writes (at most POLLS_MAX_CHOICES of them): it stays last.
_WRITE_IN_POSITION = 1000


def write_in_choice(*, poll: Poll) -> Choice | None:
    return poll.choices.filter(is_write_in=True).first()


def write_in_sync(*, poll: Poll) -> None:
    """Give the poll its "something else" choice, or take it away, as Poll.write_in says.

    Call it inside the transaction that saved the poll, with the poll's lock held.
    """
    existing = write_in_choice(poll=poll)
    if poll.write_in and existing is None:
        Choice.objects.create(
            poll=poll, text=WRITE_IN_TEXT, position=_WRITE_IN_POSITION, is_write_in=True
        )
    elif not poll.write_in and existing is not None:
        votes = existing.ballots.count()
        if votes:
            raise ValidationError(
                {
                    "write_in": [
                        f"{votes} voter{'s' if votes != 1 else ''} chose “{existing.text}”, "
                        "so it cannot be taken away."
                    ]
                }
            )
        existing.delete()


def choice_add(*, poll: Poll, text: str) -> Choice:
    """Add one choice to a poll as it runs (before its "something else"); votes wait for it."""
    text = " ".join((text or "").split())
    single_line(text)
    if not text:
        raise ValidationError("A choice needs some text.", code="empty")
    if len(text) > Choice._meta.get_field("text").max_length:
        raise ValidationError("A choice can be at most 300 characters.", code="too_long")
    with transaction.atomic():
        poll_lock(poll.pk, shared=False)
        rows = list(Choice.objects.filter(poll_id=poll.pk).values_list("text", "is_write_in"))
        if any(" ".join(t.split()).casefold() == text.casefold() for t, _ in rows):
            raise ValidationError("The poll already has this choice.", code="duplicate")
        if sum(1 for _, write_in in rows if not write_in) >= settings.POLLS_MAX_CHOICES:
            raise ValidationError(
                f"A poll can have at most {settings.POLLS_MAX_CHOICES} choices.", code="full"
            )
        last = (
            Choice.objects.filter(poll_id=poll.pk, is_write_in=False)
            .aggregate(last=Max("position"))
            .get("last")
        )
        choice = Choice.objects.create(
            poll_id=poll.pk, text=text, position=0 if last is None else last + 1
        )
        Poll.objects.filter(pk=poll.pk).update(updated_at=choice.created_at)
        versions.content_changed(poll_id=poll.pk)
    return choice


def choice_remove(*, choice: Choice) -> None:
    """Take back an added choice, only while nobody has voted for it."""
    with transaction.atomic():
        poll_lock(choice.poll_id, shared=False)
        if Ballot.choices.through.objects.filter(choice_id=choice.pk).exists():
            raise ValidationError("Voters have chosen it already, so it stays.", code="has_votes")
        Choice.objects.filter(pk=choice.pk).delete()
        versions.content_changed(poll_id=choice.poll_id)


def choices_added_since(
    *, poll: Poll, when: datetime | None, choices: list[Choice]
) -> list[Choice]:
    """The choices added after `when` (a voter's last vote): "A new definition was added"."""
    if when is None:
        return []
    return [c for c in choices if c.created_at > when and not c.is_write_in]
