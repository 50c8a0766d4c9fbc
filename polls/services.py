"""Writes with rules: casting ballots and keeping the vote counters equal to the ballots."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F

from polls.models import Ballot, Choice, Poll
from polls.voters import Voter


def _parse_choice_ids(raw_ids: Iterable) -> list[int]:
    ids: list[int] = []
    for raw in raw_ids:
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationError(
                "That is not one of this poll's choices.", code="invalid_choice"
            ) from None
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


def ballot_cast(*, poll: Poll, voter: Voter, choice_ids: Iterable) -> Ballot:
    """Record the voter's ballot, or change it where the poll allows; atomic and counted once."""
    ballot_check_open(poll=poll, voter=voter)
    ids = _parse_choice_ids(choice_ids)
    if not ids:
        raise ValidationError("Choose an answer before voting.", code="no_choice")
    if len(ids) > poll.choice_limit:
        if poll.choice_limit == 1:
            raise ValidationError("Choose only one answer.", code="too_many")
        raise ValidationError(f"Choose at most {poll.choice_limit} answers.", code="too_many")
    if Choice.objects.filter(poll=poll, pk__in=ids).count() != len(ids):
        raise ValidationError("That is not one of this poll's choices.", code="invalid_choice")

    with transaction.atomic():
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(poll=poll, voter_key=voter.key, user=voter.user)
        except IntegrityError:
            ballot = _ballot_change(poll=poll, voter=voter, ids=ids)
        else:
            ballot.choices.set(ids)
            Choice.objects.filter(pk__in=ids).update(votes=F("votes") + 1)
            Poll.objects.filter(pk=poll.pk).update(ballot_count=F("ballot_count") + 1)
    return ballot


def _ballot_change(*, poll: Poll, voter: Voter, ids: list[int]) -> Ballot:
    # Lock the existing ballot so two simultaneous changes apply one after the other.
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
    return ballot


def ballot_for_voter(*, poll: Poll, voter: Voter) -> Ballot | None:
    return Ballot.objects.filter(poll=poll, voter_key=voter.key).prefetch_related("choices").first()


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
    queryset = Poll.objects.all() if polls is None else polls
    for poll in queryset:
        with transaction.atomic():
            actual_total = Ballot.objects.filter(poll=poll).count()
            stored_total = Poll.objects.filter(pk=poll.pk).values_list("ballot_count", flat=True)[0]
            if stored_total != actual_total:
                drifts.append(CounterDrift(poll, None, stored_total, actual_total))
                if repair:
                    Poll.objects.filter(pk=poll.pk).update(ballot_count=actual_total)
            for choice in Choice.objects.filter(poll=poll).annotate(actual=Count("ballots")):
                if choice.votes != choice.actual:
                    drifts.append(CounterDrift(poll, choice, choice.votes, choice.actual))
                    if repair:
                        Choice.objects.filter(pk=choice.pk).update(votes=choice.actual)
    return drifts
