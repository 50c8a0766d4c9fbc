"""Results as the page shows them: counts, whole-number percentages and bar widths."""

from dataclasses import dataclass

from polls.models import Choice, Poll


@dataclass(frozen=True)
class ChoiceResult:
    choice: Choice
    votes: int
    percent: int
    percent_exact: float
    is_leader: bool


@dataclass(frozen=True)
class PollResults:
    total: int
    rows: list[ChoiceResult]


def poll_results(poll: Poll, choices: list[Choice]) -> PollResults:
    """Percentages are of ballots cast, so with multiple choice they may add up past 100."""
    total = poll.ballot_count
    top = max((choice.votes for choice in choices), default=0)
    rows = [
        ChoiceResult(
            choice=choice,
            votes=choice.votes,
            percent=round(100 * choice.votes / total) if total else 0,
            percent_exact=100 * choice.votes / total if total else 0.0,
            is_leader=top > 0 and choice.votes == top,
        )
        for choice in choices
    ]
    return PollResults(total=total, rows=rows)
