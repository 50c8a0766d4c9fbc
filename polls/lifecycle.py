"""A poll's life once it is written: open, close, show or hide its results, run another
round, copy it for the next workshop, delete it.

Each step takes the poll's lock exclusive (polls/locks.py), like an edit, so it waits for
the votes in flight and no vote lands on the wrong side of it, and tells the poll's version
(core/versions.py) in the same transaction.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import versions
from polls import editing
from polls.locks import poll_locked
from polls.models import Ballot, Poll

# Rounds a poll may run ("Vote again"); more would not fit side by side in the results.
MAX_ROUNDS = 5


def poll_open(*, poll: Poll) -> Poll:
    """Open a poll now: publish it, drop a future opening time and a past closing time."""
    with transaction.atomic():
        poll = poll_locked(poll)
        now = timezone.now()
        poll.status = Poll.Status.PUBLISHED
        poll.published_at = poll.published_at or now
        if poll.opens_at and poll.opens_at > now:
            poll.opens_at = None
        if poll.closes_at and poll.closes_at <= now:
            poll.closes_at = None
        poll.save()
        versions.content_changed(poll_id=poll.pk)
    return poll


def poll_close(*, poll: Poll) -> Poll:
    """Close a poll now: it waits for the votes in flight, and no vote is counted after it."""
    with transaction.atomic():
        poll = poll_locked(poll)
        now = timezone.now()
        if poll.closes_at is None or poll.closes_at > now:
            if poll.opens_at and poll.opens_at >= now:
                poll.opens_at = None  # it never opened; keep the "closes after opens" rule
            poll.closes_at = now
            poll.save(update_fields=["opens_at", "closes_at", "updated_at"])
            versions.content_changed(poll_id=poll.pk)
    return poll


def poll_reveal(*, poll: Poll, show: bool) -> Poll:
    """Show the counts to the room (as the poll's rule allows) or hide them from all but the
    trainer and staff; every cached copy that shows or hides them is retired with it."""
    with transaction.atomic():
        poll = poll_locked(poll)
        if poll.results_hidden == (not show):
            return poll
        poll.results_hidden = not show
        poll.save(update_fields=["results_hidden", "updated_at"])
        versions.content_changed(poll_id=poll.pk)
        versions.results_changed(poll_id=poll.pk)
    return poll


def poll_round_start(*, poll: Poll) -> Poll:
    """Vote again: freeze the current round (its ballots stay as they are) and open the next.

    Under the poll's exclusive lock, like a close: the votes in flight commit to the old
    round first, and every vote after the commit goes to the new one (votes re-read the
    poll when its ``updated_at`` moved, polls/voting.py).
    """
    with transaction.atomic():
        poll = poll_locked(poll)
        if not poll.is_open:
            raise ValidationError(
                "A new round can start only while the poll is open.", code="not_open"
            )
        if not Ballot.objects.filter(poll=poll, round=poll.current_round).exists():
            raise ValidationError(
                f"No one has voted in round {poll.current_round} yet.", code="empty_round"
            )
        if poll.current_round >= MAX_ROUNDS:
            raise ValidationError(
                f"A poll can have at most {MAX_ROUNDS} rounds.", code="too_many_rounds"
            )
        poll.current_round += 1
        poll.save(update_fields=["current_round", "updated_at"])
        versions.content_changed(poll_id=poll.pk)
        versions.results_changed(poll_id=poll.pk)
    return poll


def poll_delete(*, poll: Poll) -> None:
    """Delete a poll with its choices, ballots and discussion; its page is gone at once."""
    with transaction.atomic():
        poll_locked(poll).delete()
        versions.content_changed(poll_id=poll.pk)


def poll_discard(*, poll: Poll) -> None:
    """A trainer deletes a poll nobody has voted in (one with ballots is kept: close it)."""
    with transaction.atomic():
        locked = poll_locked(poll)
        ballots = Ballot.objects.filter(poll=locked).count()
        if ballots:
            raise ValidationError(
                f"“{locked.question}” has {editing.votes_text(ballots)}, so it cannot be deleted: "
                "the votes are people's answers. Close it instead.",
                code="has_ballots",
            )
        locked.delete()
        versions.content_changed(poll_id=poll.pk)


def poll_duplicate(*, poll: Poll, author) -> Poll:
    """A copy of the poll as a draft for the next workshop: the same question, intro,
    choices and settings, a new slug, no ballots, no comments, no schedule (its dates were
    for the last workshop)."""
    fields = {name: getattr(poll, name) for name in editing.POLL_FIELDS}
    fields.update(opens_at=None, closes_at=None)
    choices = [editing.ChoiceInput(id=None, text=choice.text) for choice in poll.choices.all()]
    return editing.poll_create(author=author, fields=fields, choices=choices, publish=False)


def polls_delete(*, polls: Iterable[Poll]) -> int:
    deleted = 0
    for poll in polls:
        poll_delete(poll=poll)
        deleted += 1
    return deleted
