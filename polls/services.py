"""Writes with rules: ballots, polls and their choices, and counters kept equal to the ballots.

Locking order, everywhere: the poll row first (``SELECT … FOR NO KEY UPDATE`` on
PostgreSQL), then anything below it. Every vote already serialises on its poll's row when it
bumps ``ballot_count``; taking that lock first makes the open/closed check and the choice
check authoritative, and lets a trainer's edit and a vote never interleave. SQLite runs
every transaction as ``BEGIN IMMEDIATE``, which serialises writers the same way.
"""

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
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
            # A brand-new ballot holds no choices yet: insert them, no need to diff (set()).
            through = Ballot.choices.through
            through.objects.bulk_create(through(ballot=ballot, choice_id=pk) for pk in ids)
            Choice.objects.filter(pk__in=ids).update(votes=F("votes") + 1)
            Poll.objects.filter(pk=poll.pk).update(
                ballot_count=F("ballot_count") + 1, results_version=F("results_version") + 1
            )
            pagecache.invalidate(poll_id=poll.pk)
    return ballot


def _first_ballot_sql() -> str:
    """The one statement of ballot_cast_first, with table and column names from the models."""
    q = connection.ops.quote_name
    through = Ballot.choices.through

    def columns(model) -> dict[str, str]:
        return {field.name: q(field.column) for field in model._meta.concrete_fields}

    pt, ct, bt, tt = (q(m._meta.db_table) for m in (Poll, Choice, Ballot, through))
    P, C, B, T = (columns(m) for m in (Poll, Choice, Ballot, through))
    ballot_fk = Ballot.choices.field.m2m_field_name()
    choice_fk = Ballot.choices.field.m2m_reverse_field_name()
    published = Poll.Status.PUBLISHED.value
    users = Poll.Voters.USERS.value
    # Both clocks must say "open": the app server's (%(now)s, what ballot_cast uses) and the
    # database's clock_timestamp(), which PostgreSQL evaluates again when it re-checks the
    # row after waiting for its lock; so a vote that waited for poll_close sees it closed.
    # Any disagreement only sends the vote down the full path, which decides.
    return f"""
WITH p AS (
  SELECT {P["id"]} AS id FROM {pt}
  WHERE {P["slug"]} = %(slug)s AND {P["status"]} = '{published}'
    AND ({P["opens_at"]} IS NULL
         OR ({P["opens_at"]} <= %(now)s AND {P["opens_at"]} <= clock_timestamp()))
    AND ({P["closes_at"]} IS NULL
         OR ({P["closes_at"]} > %(now)s AND {P["closes_at"]} > clock_timestamp()))
    AND ({P["who_can_vote"]} <> '{users}' OR %(has_user)s)
    AND %(n)s <= CASE WHEN {P["multiple"]} THEN {P["max_choices"]} ELSE 1 END
  FOR NO KEY UPDATE
), c AS (
  SELECT {C["id"]} AS id FROM {ct}
  WHERE {C["poll"]} IN (SELECT id FROM p) AND {C["id"]} = ANY(%(ids)s)
), ok AS (
  SELECT id FROM p WHERE (SELECT count(*) FROM c) = %(n)s
), b AS (
  INSERT INTO {bt} ({B["poll"]}, {B["voter_key"]}, {B["user"]}, {B["created_at"]},
                    {B["updated_at"]})
  SELECT id, %(key)s, %(user)s, %(now)s, %(now)s FROM ok
  ON CONFLICT ({B["poll"]}, {B["voter_key"]}) DO NOTHING
  RETURNING {B["id"]} AS id, {B["poll"]} AS poll_id
), bc AS (
  INSERT INTO {tt} ({T[ballot_fk]}, {T[choice_fk]})
  SELECT b.id, c.id FROM b CROSS JOIN c
), uc AS (
  UPDATE {ct} SET {C["votes"]} = {C["votes"]} + 1
  WHERE {C["id"]} IN (SELECT id FROM c) AND EXISTS (SELECT 1 FROM b)
), up AS (
  UPDATE {pt} SET {P["ballot_count"]} = {P["ballot_count"]} + 1,
                  {P["results_version"]} = {P["results_version"]} + 1
  WHERE {P["id"]} IN (SELECT id FROM ok) AND EXISTS (SELECT 1 FROM b)
)
SELECT id, poll_id FROM b
"""  # noqa: S608 - table and column names come from the models; every value is a parameter


# The statement is PREPAREd once per database connection (parse, analysis and planning of
# this CTE cost more than its execution: about 2 ms a vote against 0.9 ms, measured on
# PostgreSQL 15), then EXECUTEd with the values: still one round trip.
_FIRST_BALLOT_NAME = "socialpoll_ballot_cast_first"
_FIRST_BALLOT_PARAMS = ("slug", "now", "has_user", "n", "ids", "key", "user")
_first_ballot_statements: tuple[str, str] | None = None


def _first_ballot_statements_for_connection() -> tuple[str, str]:
    """(PREPARE …, EXECUTE …(%s, …)) for ballot_cast_first, the types taken from the models."""
    global _first_ballot_statements
    if _first_ballot_statements is None:
        body = re.sub(
            r"%\((\w+)\)s",
            lambda match: f"${_FIRST_BALLOT_PARAMS.index(match.group(1)) + 1}",
            _first_ballot_sql(),
        )
        types = {
            "slug": Poll._meta.get_field("slug").db_type(connection),
            "now": Ballot._meta.get_field("created_at").db_type(connection),
            "has_user": "boolean",
            "n": "integer",
            "ids": f"{Choice._meta.pk.rel_db_type(connection)}[]",
            "key": Ballot._meta.get_field("voter_key").db_type(connection),
            "user": Ballot._meta.get_field("user").db_type(connection),
        }
        arg_types = ", ".join(types[name] for name in _FIRST_BALLOT_PARAMS)
        prepare = f"PREPARE {_FIRST_BALLOT_NAME} ({arg_types}) AS {body}"
        placeholders = ", ".join(["%s"] * len(_FIRST_BALLOT_PARAMS))
        _first_ballot_statements = (prepare, f"EXECUTE {_FIRST_BALLOT_NAME} ({placeholders})")
    return _first_ballot_statements


def _first_ballot_execute(cursor, params: dict[str, Any]) -> tuple | None:
    prepare, execute = _first_ballot_statements_for_connection()
    # Remember which DB-API connection holds the prepared statement: a reconnection (after
    # CONN_MAX_AGE or a failed health check) gets a new one, and prepares again.
    if getattr(connection, "_ballot_cast_first_prepared_on", None) is not connection.connection:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [_FIRST_BALLOT_NAME])
        if cursor.fetchone() is None:
            cursor.execute(prepare)  # not rolled back with a transaction: it stays
        connection._ballot_cast_first_prepared_on = connection.connection
    cursor.execute(execute, [params[name] for name in _FIRST_BALLOT_PARAMS])
    return cursor.fetchone()


def ballot_cast_first(*, slug: str, voter: Voter, choice_ids: Iterable) -> int | None:
    """A voter's first, valid ballot in one statement on PostgreSQL; None if anything is off.

    The fast path for the common vote: one round trip instead of about a dozen. It returns
    the new ballot's id, or None when the backend is not PostgreSQL, the input is doubtful,
    or any rule did not hold (no such published poll, not open, closed, login required, too
    many or unknown choices, already voted). Nothing is written when it returns None, since
    the whole thing is one statement; the caller then runs ballot_cast, which stays the
    authority and gives the refusal its reason (or changes an existing ballot).

    It means what ballot_check_open + _check_choice_count + the choice check + the insert
    and the counter updates of ballot_cast mean, and it is safe under concurrency:

    * ``p`` locks the poll row (FOR NO KEY UPDATE, as ballot_cast does: poll row first,
      then the choice rows, see the module docstring). Voters of one poll queue on that
      lock. Under READ COMMITTED, a statement that waited for the lock re-checks p's WHERE
      against the newest row version, with clock_timestamp() evaluated again; so a poll that
      poll_close (or poll_update) closed, unpublished or restricted meanwhile yields no row,
      and no ballot is written after a close has committed.
    * The same voter twice: the second INSERT waits on the unique index
      (ballot_one_per_voter) and then does nothing; ``b`` is empty, so no choice row, no
      counter changes; None sends it down the full path ("already voted", or a change).
    * Counters are ``votes + 1``/``ballot_count + 1`` on the newest row versions (UPDATE
      re-reads a row changed since the statement's snapshot), and only when ``b`` inserted.
    * A choice read from the statement's snapshot but deleted by a trainer's edit
      committed meanwhile fails the foreign key check at the end of the statement: the
      IntegrityError is caught and None returned (the full path then answers 400); a
      choice added meanwhile is not seen, so the count does not match and None is returned.

    In autocommit (how Django serves requests) the statement is its own transaction: one
    round trip. Inside an outer atomic block (tests, scripts) it runs in a savepoint with
    the foreign keys checked at once, so a failure leaves the outer transaction usable.
    """
    if connection.vendor != "postgresql":
        return None
    try:
        ids = _parse_choice_ids(choice_ids)
    except ValidationError:
        return None
    if not ids or len(ids) > poll_setting("POLLS_MAX_CHOICES"):
        return None
    params = {
        "slug": slug,
        "now": timezone.now(),
        "has_user": voter.user is not None,
        "n": len(ids),
        "ids": ids,
        "key": voter.key,
        "user": getattr(voter.user, "pk", None),
    }
    if not connection.in_atomic_block:
        # Autocommit: the statement is its own transaction, and its commit checks Django's
        # deferred foreign keys, so a vanished choice fails here as an IntegrityError.
        try:
            with connection.cursor() as cursor:
                row = _first_ballot_execute(cursor, params)
        except IntegrityError:
            return None
        except OperationalError as error:
            return _first_ballot_lost(error)
        return _first_ballot_taken(row)
    # Inside a transaction: a savepoint keeps the outer transaction usable after a failure,
    # and the foreign keys (DEFERRABLE INITIALLY DEFERRED) are checked now, as in autocommit,
    # instead of failing the outer COMMIT later. Django's check_constraints() does the same.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            row = _first_ballot_execute(cursor, params)
    except IntegrityError:
        row = None
    except OperationalError as error:
        row = _first_ballot_lost(error)
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return _first_ballot_taken(row)


def _first_ballot_taken(row: tuple | None) -> int | None:
    if row is None:
        return None
    ballot_id, poll_id = row
    pagecache.invalidate(poll_id=poll_id)  # as ballot_cast does with its results_version bump
    return ballot_id


def _first_ballot_lost(error: OperationalError) -> None:
    """The prepared statement vanished (DISCARD ALL from a pooler, say): prepare it next time."""
    if getattr(error.__cause__, "pgcode", None) != "26000":  # invalid_sql_statement_name
        raise error
    connection._ballot_cast_first_prepared_on = None
    return None


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
