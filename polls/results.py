"""Results: counted from the ballots, cached under the poll's version, exported as CSV.

Nothing stores a running total: each figure is counted from the ballots (two queries) and
the counts are kept in the cache under the poll's version (core/versions.py), which every
vote replaces. So readers never see counts that disagree with the ballots for longer than
the vote's own commit, and ``results_verify`` can compare what the cache would show with a
fresh count.

Percentages are whole numbers. In a single-choice poll they are rounded by largest
remainder, so they add up to exactly 100; in a multiple-choice poll they are percentages of
voters, each rounded on its own, and may add up to more than 100.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q

from core import versions
from core.cache import cache
from core.versions import PollVersion
from polls.models import Ballot, Choice, Poll, VoteChange


@dataclass(frozen=True)
class ChoiceResult:
    choice_id: int
    text: str
    votes: int
    percent: int
    percent_exact: float
    is_leader: bool


@dataclass(frozen=True)
class Flow:
    """How many changes of ballot went from these choices to those (texts joined by " + ")."""

    source: str
    target: str
    changes: int


@dataclass(frozen=True)
class PollResults:
    total: int
    rows: tuple[ChoiceResult, ...]
    round: int = 1
    earlier: tuple["PollResults", ...] = ()  # the frozen rounds before this one, in order
    changed: int = 0  # voters who changed their ballot in this round
    flows: tuple[Flow, ...] = ()

    def counts(self) -> dict[int, int]:
        return {row.choice_id: row.votes for row in self.rows}

    @property
    def rounds(self) -> tuple["PollResults", ...]:
        return (*self.earlier, self)

    def compared(self) -> list[tuple[str, list[ChoiceResult]]]:
        """Each choice (as it is now) with its result in every round, oldest first."""
        return [
            (row.text, [results.rows[index] for results in self.rounds])
            for index, row in enumerate(self.rows)
        ]


def _whole_percents(votes: list[int], total: int, *, add_up: bool) -> list[int]:
    """Whole-number percentages; with add_up, largest remainder so they sum to 100."""
    if not total:
        return [0] * len(votes)
    exact = [100 * count / total for count in votes]
    if not add_up:
        return [round(value) for value in exact]
    floors = [int(value) for value in exact]
    short = max(0, min(len(votes), 100 - sum(floors)))
    # Ties go to the larger count, then to the earlier choice.
    by_remainder = sorted(range(len(votes)), key=lambda i: (exact[i] - floors[i], votes[i], -i))
    for index in by_remainder[len(votes) - short :]:
        floors[index] += 1
    return floors


def count_results(poll: Poll) -> PollResults:
    """The results of the poll's current round counted from the ballots now, with the
    rounds before it and the changes of ballot in it (two queries per round, one more for
    multiple choice)."""
    earlier = tuple(_count_round(poll, number) for number in range(1, poll.current_round))
    current = _count_round(poll, poll.current_round)
    # Changes are shown where the poll allows them (no query for the polls that do not).
    changed, flows = count_changes(poll, poll.current_round) if poll.allow_vote_change else (0, ())
    return PollResults(
        total=current.total,
        rows=current.rows,
        round=poll.current_round,
        earlier=earlier,
        changed=changed,
        flows=flows,
    )


def count_changes(poll: Poll, number: int) -> tuple[int, tuple[Flow, ...]]:
    """Voters who changed their ballot in this round, and the changes from → to, most first
    (one query for the changes, one for the choices' texts)."""
    rows = list(
        VoteChange.objects.filter(poll=poll, round=number).values_list(
            "ballot_id", "from_ids", "to_ids"
        )
    )
    if not rows:
        return 0, ()
    texts = dict(Choice.objects.filter(poll=poll).values_list("pk", "text"))

    def label(ids: list[int]) -> str:
        return " + ".join(texts.get(pk, "(a removed choice)") for pk in ids) or "(nothing)"

    voters: set[int] = set()
    pairs: Counter[tuple[str, str]] = Counter()
    for ballot_id, from_ids, to_ids in rows:
        voters.add(ballot_id)
        pairs[(label(from_ids), label(to_ids))] += 1
    flows = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    return len(voters), tuple(Flow(source=a, target=b, changes=n) for (a, b), n in flows)


def _count_round(poll: Poll, number: int) -> PollResults:
    """One round's counts and percentages, per choice of the poll as it is now."""
    choices = list(
        Choice.objects.filter(poll=poll)
        .annotate(votes=Count("ballots", filter=Q(ballots__round=number)))
        .order_by("position", "pk")
        .values_list("pk", "text", "votes")
    )
    # A single-choice ballot holds exactly one choice: the voters are the sum of the votes.
    total = Ballot.objects.filter(poll=poll, round=number).count() if poll.multiple else None
    return _tally(poll, choices, total, number=number)


def _tally(
    poll: Poll, choices: list[tuple[int, str, int]], total: int | None, *, number: int = 1
) -> PollResults:
    """One round's results from each choice's count (and the voters, for multiple choice)."""
    votes = [count for _, _, count in choices]
    if total is None:
        total = sum(votes)
    percents = _whole_percents(votes, total, add_up=not poll.multiple)
    top = max(votes, default=0)
    return PollResults(
        total=total,
        round=number,
        rows=tuple(
            ChoiceResult(
                choice_id=pk,
                text=text,
                votes=count,
                percent=percent,
                percent_exact=100 * count / total if total else 0.0,
                is_leader=top > 0 and count == top,
            )
            for (pk, text, count), percent in zip(choices, percents, strict=True)
        ),
    )


def public_results_many(polls: list[Poll]) -> dict[int, PollResults]:
    """The results of those polls whose results anyone may see now (the home page's
    previews), counted in one query; each poll needs ``ballot_total`` (with_ballot_totals).
    Who may see results is the poll's rule (Poll.results_visible_to), for a reader who has
    not voted: the same for everyone, so the cards that show them can be shared."""
    anyone = AnonymousUser()
    shown = {p.pk: p for p in polls if p.results_visible_to(anyone, has_voted=False)}
    if not shown:
        return {}
    rows = (
        Choice.objects.filter(poll_id__in=shown)
        .annotate(votes=Count("ballots", filter=Q(ballots__round=F("poll__current_round"))))
        .order_by("poll_id", "position", "pk")
        .values_list("poll_id", "pk", "text", "votes")
    )
    by_poll: dict[int, list[tuple[int, str, int]]] = {pk: [] for pk in shown}
    for poll_id, pk, text, count in rows:
        by_poll[poll_id].append((pk, text, count))
    return {
        pk: _tally(
            poll,
            by_poll[pk],
            poll.ballot_total if poll.multiple else None,
            number=poll.current_round,
        )
        for pk, poll in shown.items()
    }


def _cache_key(poll: Poll, version: PollVersion) -> str:
    return f"polls:results:{poll.pk}:{version.both}"


def poll_results(poll: Poll, version: PollVersion | None = None) -> PollResults:
    """The poll's results, from the cache while its version is unchanged.

    Pass the version read *before* anything else of the poll was read from the database
    (see core/versions.py); without one it is read here.
    """
    if version is None:
        version = versions.read(poll.pk)
    key = _cache_key(poll, version)
    results = cache.get(key)
    if results is None:
        results = count_results(poll)
        cache.set(key, results, settings.POLLS_RESULTS_CACHE_SECONDS)
    return results


@dataclass(frozen=True)
class ResultsDrift:
    poll: Poll
    shown: PollResults
    counted: PollResults


def results_verify(*, repair: bool = False) -> list[ResultsDrift]:
    """Compare the results readers are shown (the cached counts) with the ballots.

    A difference can only come from a version change the cache missed (it was unreachable
    when a vote committed, and came back with the old copy); ``repair`` replaces the
    version, so the next reader gets a fresh count.
    """
    drifts: list[ResultsDrift] = []
    for poll in Poll.objects.order_by("pk"):
        shown = cache.get(_cache_key(poll, versions.read(poll.pk)))
        counted = count_results(poll)
        if shown is not None and shown != counted:
            drifts.append(ResultsDrift(poll=poll, shown=shown, counted=counted))
            if repair:
                versions.results_changed(poll_id=poll.pk)
    return drifts


def csv_cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas; a leading quote keeps text text.
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def results_csv(poll: Poll) -> str:
    """The results as CSV: one row per choice, then the total number of ballots."""
    results = count_results(poll)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Choice", "Votes", "Percent of voters"])
    for row in results.rows:
        writer.writerow([csv_cell(row.text), row.votes, f"{row.percent_exact:.1f}"])
    writer.writerow(["Total voters", results.total, ""])
    return out.getvalue()
