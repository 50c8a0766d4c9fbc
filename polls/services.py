"""Writes with rules: ballots, polls and their choices, and counters kept equal to the ballots.

Locking order, everywhere: the poll row first (``SELECT … FOR NO KEY UPDATE`` on
PostgreSQL), then anything below it. Every vote already serialises on its poll's row when it
bumps ``ballot_count``; taking that lock first makes the open/closed check and the choice
check authoritative, and lets a trainer's edit and a vote never interleave. SQLite runs
every transaction as ``BEGIN IMMEDIATE``, which serialises writers the same way.
"""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.text import slugify

from polls import pagecache
from polls.conf import poll_setting
from polls.models import Ballot, Choice, Poll
from polls.voters import Voter

# Paths under /polls/ that are pages, not polls.
RESERVED_SLUGS = frozenset({"new", "mine"})
SLUG_MAX_LENGTH = Poll._meta.get_field("slug").max_length

# Poll fields a trainer sets through the form (everything else is managed here).
POLL_FIELDS = (
    "question",
    "intro",
    "multiple",
    "max_choices",
    "who_can_vote",
    "results_visibility",
    "allow_vote_change",
    "opens_at",
    "closes_at",
)


# --- ballots ------------------------------------------------------------------------------


def _parse_choice_ids(raw_ids: Iterable) -> list[int]:
    ids: list[int] = []
    for raw in raw_ids:
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationError(
                "That is not one of this poll's choices.", code="invalid_choice"
            ) from None
        if value <= 0 or value > 2**62:
            raise ValidationError("That is not one of this poll's choices.", code="invalid_choice")
        if value not in ids:
            ids.append(value)
    return ids


def ballot_check_open(*, poll: Poll, voter: Voter) -> None:
    """Raise ValidationError if this voter may not vote in this poll now."""
    if not poll.is_published:
        raise ValidationError("This poll is not published.", code="not_published")
    if not poll.has_opened:
        raise ValidationError("This poll has not opened yet.", code="not_open")
    if poll.has_closed:
        raise ValidationError("This poll is closed.", code="closed")
    if poll.who_can_vote == Poll.Voters.USERS and voter.user is None:
        raise ValidationError("Log in to vote in this poll.", code="login_required")


def _check_choice_count(poll: Poll, ids: list[int]) -> None:
    if not ids:
        raise ValidationError("Choose an answer before voting.", code="no_choice")
    if len(ids) > poll.choice_limit:
        if poll.choice_limit == 1:
            raise ValidationError("Choose only one answer.", code="too_many")
        raise ValidationError(f"Choose at most {poll.choice_limit} answers.", code="too_many")


def ballot_cast(*, poll: Poll, voter: Voter, choice_ids: Iterable) -> Ballot:
    """Record the voter's ballot, or change it where the poll allows; atomic and counted once.

    Raises ValidationError (with a code) for every rule break; nothing is written then.
    """
    # Cheap refusals first, before any transaction or lock (on SQLite, BEGIN IMMEDIATE
    # takes the database's write lock); everything is checked again under the lock.
    ballot_check_open(poll=poll, voter=voter)
    ids = _parse_choice_ids(choice_ids)
    _check_choice_count(poll, ids)

    with transaction.atomic():
        # The poll as it is now, locked: a trainer closing it or editing its choices waits.
        poll = Poll.objects.select_for_update(no_key=True).get(pk=poll.pk)
        ballot_check_open(poll=poll, voter=voter)
        _check_choice_count(poll, ids)
        if Choice.objects.filter(poll=poll, pk__in=ids).count() != len(ids):
            raise ValidationError("That is not one of this poll's choices.", code="invalid_choice")
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(poll=poll, voter_key=voter.key, user=voter.user)
        except IntegrityError:
            ballot = _ballot_change(poll=poll, voter=voter, ids=ids)
        else:
            ballot.choices.set(ids)
            Choice.objects.filter(pk__in=ids).update(votes=F("votes") + 1)
            Poll.objects.filter(pk=poll.pk).update(
                ballot_count=F("ballot_count") + 1, results_version=F("results_version") + 1
            )
            pagecache.invalidate(poll_id=poll.pk)
    return ballot


def _ballot_change(*, poll: Poll, voter: Voter, ids: list[int]) -> Ballot:
    ballot = Ballot.objects.select_for_update().get(poll=poll, voter_key=voter.key)
    if not poll.allow_vote_change:
        raise ValidationError("You have already voted in this poll.", code="already_voted")
    old_ids = set(ballot.choices.values_list("pk", flat=True))
    new_ids = set(ids)
    if old_ids != new_ids:
        Choice.objects.filter(pk__in=old_ids - new_ids).update(votes=F("votes") - 1)
        Choice.objects.filter(pk__in=new_ids - old_ids).update(votes=F("votes") + 1)
        ballot.choices.set(ids)
        ballot.save(update_fields=["updated_at"])
        Poll.objects.filter(pk=poll.pk).update(results_version=F("results_version") + 1)
        pagecache.invalidate(poll_id=poll.pk)
    return ballot


def ballot_choice_ids(*, poll: Poll, voter: Voter) -> set[int]:
    """The choices this voter's ballot holds (empty if they have not voted): one query."""
    if voter.is_new:  # a browser without a voter cookie cannot have voted
        return set()
    through = Ballot.choices.through
    return set(
        through.objects.filter(ballot__poll_id=poll.pk, ballot__voter_key=voter.key).values_list(
            "choice_id", flat=True
        )
    )


# --- polls and choices --------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceInput:
    """One row of the choice form: an existing choice's id (or None for a new one) and text."""

    id: int | None
    text: str


def poll_slug(*, question: str) -> str:
    """A free slug made from the question: 'how-would-you-define-x', then '-2', '-3', …"""
    base = slugify(question)[: SLUG_MAX_LENGTH - 6].strip("-") or "poll"
    if base in RESERVED_SLUGS:
        base = f"{base}-poll"
    taken = set(Poll.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for candidate in itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2))):
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def choices_with_votes(*, poll: Poll) -> dict[int, int]:
    """Choices of this poll that hold votes, with how many (counted from the ballots)."""
    rows = (
        Ballot.choices.through.objects.filter(choice__poll_id=poll.pk)
        .values_list("choice_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def choices_validate(
    *,
    poll: Poll | None,
    choices: Sequence[ChoiceInput],
    multiple: bool,
    max_choices: int,
    publishing: bool,
) -> list[ChoiceInput]:
    """Check the choice list a trainer submitted; return the choices to keep, in order.

    A row with an id and empty text removes that choice; an empty new row is ignored.
    Errors come keyed: "choices" for the list, "choice-<row index>" for one row,
    "multiple"/"max_choices" for the settings.
    """
    existing = {choice.pk: choice for choice in poll.choices.all()} if poll and poll.pk else {}
    voted = choices_with_votes(poll=poll) if existing else {}
    errors: dict[str, list[str]] = {}
    kept: list[ChoiceInput] = []
    seen_ids: set[int] = set()
    seen_texts: dict[str, int] = {}

    for index, row in enumerate(choices):
        text = " ".join((row.text or "").split())
        key = f"choice-{index}"
        if row.id is not None:
            choice = existing.get(row.id)
            if choice is None or row.id in seen_ids:
                errors.setdefault(key, []).append("This choice is not part of this poll.")
                continue
            seen_ids.add(row.id)
            if row.id in voted and text != " ".join(choice.text.split()):
                count = voted[row.id]
                what = "removed" if not text else "reworded"
                errors.setdefault(key, []).append(
                    f"“{choice.text}” already has {count} vote{'s' if count != 1 else ''}, "
                    f"so it cannot be {what}: the votes were cast for these words. "
                    "Add a new choice instead."
                )
                continue
            if row.id in voted:
                text = choice.text  # unchanged but for spacing: keep it exactly as voted on
        if not text:
            continue
        folded = text.casefold()
        if folded in seen_texts:
            errors.setdefault(key, []).append(
                f"This is the same as Choice {seen_texts[folded] + 1}."
            )
            continue
        seen_texts[folded] = index
        kept.append(ChoiceInput(id=row.id, text=text))

    # Choices missing from the submission entirely count as removed.
    for choice_id, count in voted.items():
        if choice_id not in seen_ids:
            errors.setdefault("choices", []).append(
                f"“{existing[choice_id].text}” already has {count} vote"
                f"{'s' if count != 1 else ''}, so it cannot be removed."
            )

    maximum = poll_setting("POLLS_MAX_CHOICES")
    if len(kept) > maximum:
        errors.setdefault("choices", []).append(f"A poll can have at most {maximum} choices.")
    if publishing and len(kept) < 2:
        errors.setdefault("choices", []).append("A published poll needs at least two choices.")
    if multiple and kept and max_choices > len(kept):
        errors.setdefault("max_choices", []).append(
            f"There are only {len(kept)} choices; a voter cannot tick more than that."
        )
    if poll and poll.pk and poll.ballot_count:
        if poll.multiple and not multiple:
            errors.setdefault("multiple", []).append(
                "This poll already has votes cast as multiple choice; "
                "it cannot become single choice."
            )
        elif multiple and max_choices < poll.choice_limit:
            errors.setdefault("max_choices", []).append(
                f"This poll already has votes with up to {poll.choice_limit} choices; "
                "the maximum cannot go down."
            )
    if errors:
        raise ValidationError(errors)
    return kept


def _choices_apply(poll: Poll, kept: list[ChoiceInput]) -> None:
    kept_ids = {row.id for row in kept if row.id is not None}
    poll.choices.exclude(pk__in=kept_ids).delete()
    existing = {choice.pk: choice for choice in poll.choices.all()}
    changed: list[Choice] = []
    for position, row in enumerate(kept):
        if row.id is None:
            Choice.objects.create(poll=poll, text=row.text, position=position)
            continue
        choice = existing[row.id]
        if (choice.text, choice.position) != (row.text, position):
            choice.text, choice.position = row.text, position
            changed.append(choice)
    if changed:
        Choice.objects.bulk_update(changed, ["text", "position"])


def _check_schedule(fields: dict[str, Any]) -> None:
    opens_at, closes_at = fields.get("opens_at"), fields.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": ["The poll must close after it opens."]})


def poll_create(
    *, author, fields: dict[str, Any], choices: Sequence[ChoiceInput], publish: bool
) -> Poll:
    """Create a poll with its choices, as a draft or published; its slug comes from the question."""
    values = {name: fields[name] for name in POLL_FIELDS if name in fields}
    _check_schedule(values)
    kept = choices_validate(
        poll=None,
        choices=choices,
        multiple=values.get("multiple", False),
        max_choices=values.get("max_choices", 1),
        publishing=publish,
    )
    for attempt in range(5):
        try:
            with transaction.atomic():
                poll = Poll(author=author, slug=poll_slug(question=values["question"]), **values)
                if publish:
                    poll.status = Poll.Status.PUBLISHED
                    poll.published_at = timezone.now()
                poll.save()
                Choice.objects.bulk_create(
                    Choice(poll=poll, text=row.text, position=position)
                    for position, row in enumerate(kept)
                )
                return poll
        except IntegrityError:
            # Someone took the same slug a moment ago; pick the next one.
            if attempt == 4 or not Poll.objects.filter(slug=poll.slug).exists():
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def poll_update(
    *, poll: Poll, fields: dict[str, Any], choices: Sequence[ChoiceInput], publish: bool
) -> Poll:
    """Save a trainer's edit: settings, choices (voted ones stay as they are) and status."""
    values = {name: fields[name] for name in POLL_FIELDS if name in fields}
    _check_schedule(values)
    with transaction.atomic():
        locked = Poll.objects.select_for_update(no_key=True).get(pk=poll.pk)
        kept = choices_validate(
            poll=locked,
            choices=choices,
            multiple=values.get("multiple", locked.multiple),
            max_choices=values.get("max_choices", locked.max_choices),
            publishing=publish,
        )
        for name, value in values.items():
            setattr(locked, name, value)
        if publish:
            locked.status = Poll.Status.PUBLISHED
            locked.published_at = locked.published_at or timezone.now()
        else:
            locked.status = Poll.Status.DRAFT
        locked.results_version = F("results_version") + 1
        locked.save()
        _choices_apply(locked, kept)
    locked.refresh_from_db()
    return locked


def poll_open(*, poll: Poll) -> Poll:
    """Open a poll now: publish it, drop a future opening time and a past closing time."""
    with transaction.atomic():
        poll = Poll.objects.select_for_update(no_key=True).get(pk=poll.pk)
        now = timezone.now()
        poll.status = Poll.Status.PUBLISHED
        poll.published_at = poll.published_at or now
        if poll.opens_at and poll.opens_at > now:
            poll.opens_at = None
        if poll.closes_at and poll.closes_at <= now:
            poll.closes_at = None
        poll.save()
    return poll


def poll_close(*, poll: Poll) -> Poll:
    """Close a poll now: no more votes; results rules for "after close" apply from now."""
    with transaction.atomic():
        poll = Poll.objects.select_for_update(no_key=True).get(pk=poll.pk)
        now = timezone.now()
        if poll.closes_at is None or poll.closes_at > now:
            if poll.opens_at and poll.opens_at >= now:
                poll.opens_at = None  # it never opened; keep the "closes after opens" rule
            poll.closes_at = now
            poll.save(update_fields=["opens_at", "closes_at", "updated_at"])
    return poll


def results_invalidate(*, poll: Poll) -> None:
    """Make every cached copy of this poll's results stale (after a change outside voting)."""
    Poll.objects.filter(pk=poll.pk).update(results_version=F("results_version") + 1)
    pagecache.invalidate(poll_id=poll.pk)


# --- counters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterDrift:
    poll: Poll
    choice: Choice | None
    stored: int
    actual: int


def counters_verify(
    *, polls: Iterable[Poll] | None = None, repair: bool = False
) -> list[CounterDrift]:
    """Compare stored counters with the ballots; with repair, make them equal again."""
    drifts: list[CounterDrift] = []
    queryset = Poll.objects.order_by("pk") if polls is None else polls
    for poll in queryset:
        with transaction.atomic():
            # Lock like a vote does, so no ballot lands between the count and the repair.
            stored_total = (
                Poll.objects.select_for_update(no_key=True)
                .values_list("ballot_count", flat=True)
                .get(pk=poll.pk)
            )
            actual_total = Ballot.objects.filter(poll=poll).count()
            poll_drifts: list[CounterDrift] = []
            if stored_total != actual_total:
                poll_drifts.append(CounterDrift(poll, None, stored_total, actual_total))
            for choice in Choice.objects.filter(poll=poll).annotate(actual=Count("ballots")):
                if choice.votes != choice.actual:
                    poll_drifts.append(CounterDrift(poll, choice, choice.votes, choice.actual))
            if repair and poll_drifts:
                for drift in poll_drifts:
                    if drift.choice is None:
                        Poll.objects.filter(pk=poll.pk).update(ballot_count=drift.actual)
                    else:
                        Choice.objects.filter(pk=drift.choice.pk).update(votes=drift.actual)
                results_invalidate(poll=poll)
            drifts.extend(poll_drifts)
    return drifts
