"""Voting: who may vote, casting and changing a ballot, and what a voter sees of a poll.

One rule, one path, the same on SQLite and PostgreSQL:

* one ballot per voter per round of a poll, enforced by the database
  (``ballot_one_per_voter``); a vote goes to the poll's current round as it is under the
  lock, so no ballot lands in a round that "Vote again" has frozen;
* a change of ballot is recorded (``VoteChange``, from → to) in the change's transaction;
* a vote is checked against the poll as it is *now*: it takes the poll's lock shared
  (polls/locks.py), so closing a poll or editing its choices, which take it exclusive,
  either committed before (and the vote sees it) or waits until the vote has committed;
* counts are not stored: results are counted from the ballots (polls/results.py), so a
  vote writes only its own rows, and two voters of one poll never wait for each other.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import versions
from polls.locks import poll_lock
from polls.models import Ballot, Choice, Poll, VoteChange
from polls.voters import Voter

# The largest id a choice can have (a bigint): longer input is not a choice, and int() of
# thousands of digits is refused by Python, so the digits are counted first.
_MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class CastOutcome:
    ballot: Ballot
    created: bool  # a first ballot
    changed: bool  # an existing ballot now holds other choices


def parse_choice_ids(raw_ids: Iterable) -> list[int]:
    """The distinct choice ids a form sent, in order; ValidationError for anything else."""
    ids: list[int] = []
    for raw in raw_ids:
        text = str(raw).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS):
            raise ValidationError("That is not one of this poll's choices.", code="invalid_choice")
        value = int(text)
        if value == 0:
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


def _check_definition_given(poll: Poll, ids: list[int]) -> None:
    if poll.write_in and Choice.objects.filter(poll=poll, pk__in=ids, is_write_in=True).exists():
        raise ValidationError(
            "Write your definition below: a vote for “Something else” counts once it is posted.",
            code="definition_needed",
        )


def ballot_cast(
    *, poll: Poll, voter: Voter, choice_ids: Iterable, with_definition: bool = False
) -> CastOutcome:
    """Record the voter's ballot, or change it where the poll allows; atomic, counted once.

    ``with_definition``: the voter has written their definition, which a vote for the
    write-in choice needs where the poll says so (comments/alternative_views.py casts it).
    Raises ValidationError (with a code) for every rule break; nothing is written then.
    """
    ids = parse_choice_ids(choice_ids)
    ballot_check_open(poll=poll, voter=voter)
    _check_choice_count(poll, ids)
    if poll.write_in_needs_definition and not with_definition:
        _check_definition_given(poll, ids)
    try:
        with transaction.atomic():
            poll_lock(poll.pk, shared=True)
            poll = _as_it_is_now(poll, voter, ids)
            ballot = Ballot.objects.create(
                poll=poll, voter_key=voter.key, user=voter.user, round=poll.current_round
            )
            through = Ballot.choices.through
            through.objects.bulk_create(through(ballot=ballot, choice_id=pk) for pk in ids)
            versions.results_changed(poll_id=poll.pk)
    except IntegrityError:  # this voter has a ballot here already (ballot_one_per_voter)
        return _ballot_change(poll=poll, voter=voter, ids=ids)
    return CastOutcome(ballot=ballot, created=True, changed=False)


def _as_it_is_now(poll: Poll, voter: Voter, ids: list[int]) -> Poll:
    """The poll, checked again now that no close or edit can be under way (its lock is
    held): one query when nothing changed since it was read, which is nearly always."""
    unchanged = Choice.objects.filter(
        poll_id=poll.pk, poll__updated_at=poll.updated_at, pk__in=ids
    ).count()
    if unchanged == len(ids):
        return poll
    poll = Poll.objects.get(pk=poll.pk)  # closed, edited, or a choice gone: say which
    ballot_check_open(poll=poll, voter=voter)
    _check_choice_count(poll, ids)
    if Choice.objects.filter(poll=poll, pk__in=ids).count() != len(ids):
        raise ValidationError("That is not one of this poll's choices.", code="invalid_choice")
    return poll


def _ballot_change(*, poll: Poll, voter: Voter, ids: list[int]) -> CastOutcome:
    """The voter's existing ballot, changed to these choices where the poll allows it."""
    if not poll.allow_vote_change:
        raise ValidationError("You have already voted in this poll.", code="already_voted")
    with transaction.atomic():
        poll_lock(poll.pk, shared=True)
        poll = _as_it_is_now(poll, voter, ids)
        ballot = (
            Ballot.objects.select_for_update()
            .filter(poll=poll, voter_key=voter.key, round=poll.current_round)
            .first()
        )
        if ballot is None:  # not a second ballot after all: a choice vanished at commit
            raise ValidationError("That is not one of this poll's choices.", code="invalid_choice")
        if not poll.allow_vote_change:
            raise ValidationError("You have already voted in this poll.", code="already_voted")
        old_ids = set(ballot.choices.values_list("pk", flat=True))
        if old_ids == set(ids):
            return CastOutcome(ballot=ballot, created=False, changed=False)
        ballot.choices.set(ids)
        ballot.save(update_fields=["updated_at"])
        VoteChange.objects.create(
            poll=poll,
            ballot=ballot,
            round=ballot.round,
            from_ids=sorted(old_ids),
            to_ids=sorted(set(ids)),
        )
        versions.results_changed(poll_id=poll.pk)
    return CastOutcome(ballot=ballot, created=False, changed=True)


def ballot_choice_ids(*, poll: Poll, voter: Voter) -> set[int]:
    """The choices this voter's ballot in the poll's current round holds (empty if they
    have not voted in it): one query."""
    if voter.is_new:  # a browser without a voter cookie cannot have voted
        return set()
    through = Ballot.choices.through
    return set(
        through.objects.filter(
            ballot__poll_id=poll.pk, ballot__voter_key=voter.key, ballot__round=poll.current_round
        ).values_list("choice_id", flat=True)
    )


@dataclass(frozen=True)
class VotingState:
    """What one reader may do and see in a poll right now."""

    voted_ids: frozenset[int]
    can_vote: bool
    needs_login: bool
    show_results: bool

    @property
    def has_voted(self) -> bool:
        return bool(self.voted_ids)


def voting_state(
    *, poll: Poll, voter: Voter, user, voted_ids: Iterable[int] | None = None
) -> VotingState:
    """What this reader (voter and user of one request) may do; their ballot is read unless
    given."""
    if voted_ids is None:
        voted_ids = ballot_choice_ids(poll=poll, voter=voter)
    voted = frozenset(voted_ids)
    login_wall = poll.who_can_vote == Poll.Voters.USERS and voter.user is None
    return VotingState(
        voted_ids=voted,
        can_vote=poll.is_open and not login_wall and (not voted or poll.allow_vote_change),
        needs_login=login_wall and poll.is_open,
        show_results=poll.results_visible_to(user, has_voted=bool(voted)),
    )
