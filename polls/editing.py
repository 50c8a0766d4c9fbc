"""Writing polls: create and update them, and the rules for their choices (opening,
closing, rounds and deleting are in polls/lifecycle.py).

The trainer's form, the admin and commands all come through here. Every write that changes
what a vote may be takes the poll's lock exclusive (polls/locks.py), so it never interleaves
with a vote, and every write tells the poll's version (core/versions.py) so no cached copy
of the page outlives it.
"""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from core import versions
from core.text import SingleLineValidator, has_control_characters, single_line
from polls.choices import write_in_sync
from polls.joincodes import join_code_random
from polls.locks import poll_locked
from polls.models import Ballot, Choice, Poll

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
    "write_in",
    "write_in_needs_definition",
    "opens_at",
    "closes_at",
    "notify_pending",
)


@dataclass(frozen=True)
class ChoiceInput:
    """One row of a choice form: an existing choice's id (or None for a new one) and text."""

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


def join_code_free() -> str:
    """A join code no poll has yet (the unique constraint still decides a race)."""
    while True:
        code = join_code_random()
        if not Poll.objects.filter(join_code=code).exists():
            return code


def choices_with_votes(*, poll: Poll) -> dict[int, int]:
    """Choices of this poll that hold votes, with how many (counted from the ballots)."""
    rows = (
        Ballot.choices.through.objects.filter(choice__poll_id=poll.pk)
        .values_list("choice_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def votes_text(count: int) -> str:
    return f"{count} vote{'s' if count != 1 else ''}"


def _choice_rows(
    existing: dict[int, Choice], voted: dict[int, int], choices: Sequence[ChoiceInput]
) -> tuple[list[ChoiceInput], dict[str, list[str]], set[int]]:
    """The rows to keep, errors keyed by row ("choice-<index>"), and the ids seen."""
    errors: dict[str, list[str]] = {}
    kept: list[ChoiceInput] = []
    seen_ids: set[int] = set()
    seen_texts: dict[str, int] = {}
    for index, row in enumerate(choices):
        key = f"choice-{index}"
        if has_control_characters(row.text or ""):
            errors.setdefault(key, []).append(SingleLineValidator.message)
            continue
        text = " ".join((row.text or "").split())
        if row.id is not None:
            choice = existing.get(row.id)
            if choice is None or row.id in seen_ids:
                errors.setdefault(key, []).append("This choice is not part of this poll.")
                continue
            seen_ids.add(row.id)
            if row.id in voted and text != " ".join(choice.text.split()):
                what = "removed" if not text else "reworded"
                errors.setdefault(key, []).append(
                    f"“{choice.text}” already has {votes_text(voted[row.id])}, so it cannot be "
                    f"{what}: the votes were cast for these words. Add a new choice instead."
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
    return kept, errors, seen_ids


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
    # The "something else" choice is kept by Poll.write_in (polls/choices.py), not the list.
    rows = poll.choices.all() if poll and poll.pk else []
    existing = {choice.pk: choice for choice in rows if not choice.is_write_in}
    choices = [row for row in choices if row.id is None or row.id not in _write_in_ids(rows)]
    voted = choices_with_votes(poll=poll) if existing else {}
    voted = {pk: n for pk, n in voted.items() if pk in existing}
    kept, errors, seen_ids = _choice_rows(existing, voted, choices)
    for choice_id, count in voted.items():  # missing from the submission: removed
        if choice_id not in seen_ids:
            errors.setdefault("choices", []).append(
                f"“{existing[choice_id].text}” already has {votes_text(count)}, so it cannot be "
                "removed."
            )
    maximum = settings.POLLS_MAX_CHOICES
    if len(kept) > maximum:
        errors.setdefault("choices", []).append(f"A poll can have at most {maximum} choices.")
    if publishing and len(kept) < 2:
        errors.setdefault("choices", []).append("A published poll needs at least two choices.")
    _check_limits(
        errors, poll=poll, kept=kept, voted=voted, multiple=multiple, max_choices=max_choices
    )
    if errors:
        raise ValidationError(errors)
    return kept


def _check_limits(
    errors: dict, *, poll, kept: list, voted: dict, multiple: bool, max_choices: int
) -> None:
    """The rules for "Multiple choice" and its maximum, added to ``errors``."""
    if multiple and max_choices < 2:
        errors.setdefault("max_choices", []).append(
            "Multiple choice needs a maximum of at least 2. For one answer per voter, "
            "untick “Multiple choice”."
        )
    elif multiple and kept and max_choices > len(kept):
        errors.setdefault("max_choices", []).append(
            f"There are only {len(kept)} choices; a voter cannot tick more than that."
        )
    if voted and poll.multiple and not multiple:
        errors.setdefault("multiple", []).append(
            "This poll already has votes cast as multiple choice; it cannot become single choice."
        )
    elif voted and multiple and max_choices < poll.choice_limit:
        errors.setdefault("max_choices", []).append(
            f"This poll already has votes with up to {poll.choice_limit} choices; "
            "the maximum cannot go down."
        )


def _write_in_ids(rows: Iterable[Choice]) -> set[int]:
    return {choice.pk for choice in rows if choice.is_write_in}


def _choices_apply(poll: Poll, kept: list[ChoiceInput]) -> None:
    kept_ids = {row.id for row in kept if row.id is not None}
    poll.choices.exclude(pk__in=kept_ids).exclude(is_write_in=True).delete()
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


def _check_question(fields: dict[str, Any]) -> None:
    try:
        single_line(fields.get("question") or "")
    except ValidationError as error:
        raise ValidationError({"question": error.messages}) from None


def _check_schedule(fields: dict[str, Any]) -> None:
    opens_at, closes_at = fields.get("opens_at"), fields.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": ["The poll must close after it opens."]})


def poll_validate(
    *, poll: Poll | None, fields: dict[str, Any], choices: Sequence[ChoiceInput], publish: bool
) -> list[ChoiceInput]:
    """Every rule a submitted poll (its fields and choice rows) must meet, all broken ones
    reported in one ValidationError; the choices to keep. Fields left out are checked as
    the poll has them."""
    errors: dict[str, list[str]] = {}
    kept: list[ChoiceInput] = []
    for check in (_check_question, _check_schedule):
        try:
            check(fields)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        kept = choices_validate(
            poll=poll,
            choices=choices,
            multiple=fields.get("multiple", poll.multiple if poll else False),
            max_choices=fields.get("max_choices", poll.max_choices if poll else 1),
            publishing=publish,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return kept


def poll_create(
    *, author, fields: dict[str, Any], choices: Sequence[ChoiceInput], publish: bool
) -> Poll:
    """Create a poll with its choices, as a draft or published; its slug comes from the question."""
    values = {name: fields[name] for name in POLL_FIELDS if name in fields}
    kept = poll_validate(poll=None, fields=values, choices=choices, publish=publish)
    for attempt in range(5):
        try:
            with transaction.atomic():
                poll = Poll(
                    author=author,
                    slug=poll_slug(question=values["question"]),
                    join_code=join_code_free(),
                    **values,
                )
                if publish:
                    poll.status = Poll.Status.PUBLISHED
                    poll.published_at = timezone.now()
                poll.save()
                Choice.objects.bulk_create(
                    Choice(poll=poll, text=row.text, position=position)
                    for position, row in enumerate(kept)
                )
                write_in_sync(poll=poll)
                return poll
        except IntegrityError:
            # Someone took the same slug (or join code) a moment ago; pick the next one.
            taken = Q(slug=poll.slug) | Q(join_code=poll.join_code)
            if attempt == 4 or not Poll.objects.filter(taken).exists():
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def poll_update(
    *, poll: Poll, fields: dict[str, Any], choices: Sequence[ChoiceInput], publish: bool
) -> Poll:
    """Save a trainer's edit: settings, choices (voted ones stay as they are) and status."""
    values = {name: fields[name] for name in POLL_FIELDS if name in fields}
    with transaction.atomic():
        locked = poll_locked(poll)
        kept = poll_validate(poll=locked, fields=values, choices=choices, publish=publish)
        for name, value in values.items():
            setattr(locked, name, value)
        if publish:
            locked.status = Poll.Status.PUBLISHED
            locked.published_at = locked.published_at or timezone.now()
        else:
            locked.status = Poll.Status.DRAFT
        locked.save()
        _choices_apply(locked, kept)
        write_in_sync(poll=locked)
        versions.content_changed(poll_id=locked.pk)
    return locked


def poll_add(*, poll: Poll) -> Poll:
    """Save a new poll built elsewhere (the admin's form); its choices follow with
    poll_choices_set, in the same transaction."""
    _check_question({"question": poll.question})
    _check_schedule({"opens_at": poll.opens_at, "closes_at": poll.closes_at})
    if poll.is_published and poll.published_at is None:
        poll.published_at = timezone.now()
    poll.save()
    return poll


def poll_change(*, poll: Poll, changes: dict[str, Any]) -> Poll:
    """Save only the given fields of a poll (the admin's edit), under the same rules."""
    with transaction.atomic():
        locked = poll_locked(poll)
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_question(changes)
        _check_schedule({"opens_at": locked.opens_at, "closes_at": locked.closes_at})
        if locked.is_published and locked.published_at is None:
            locked.published_at = timezone.now()
            changes = {**changes, "published_at": locked.published_at}
        choices_validate(
            poll=Poll.objects.get(pk=poll.pk),
            choices=[ChoiceInput(id=c.pk, text=c.text) for c in locked.choices.all()],
            multiple=locked.multiple,
            max_choices=locked.max_choices,
            publishing=locked.is_published,
        )
        if changes:
            locked.save(update_fields=[*changes, "updated_at"])
        write_in_sync(poll=locked)
        versions.content_changed(poll_id=locked.pk)
    return locked


def poll_choices_set(*, poll: Poll, choices: Sequence[ChoiceInput]) -> None:
    """Replace a poll's choices with these rows, in this order (voted ones stay as they are)."""
    with transaction.atomic():
        locked = poll_locked(poll)
        kept = choices_validate(
            poll=locked,
            choices=choices,
            multiple=locked.multiple,
            max_choices=locked.max_choices,
            publishing=locked.is_published,
        )
        _choices_apply(locked, kept)
        write_in_sync(poll=locked)
        versions.content_changed(poll_id=locked.pk)
