"""Results as the page shows them: counts, whole-number percentages, bars and a CSV export.

Percentages are of ballots (voters), not of ticks: in a multiple-choice poll they may add
up to more than 100.
"""

import csv
import io
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from polls.conf import poll_setting
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


def results_cache_key(poll: Poll) -> str:
    return f"polls:results:{poll.pk}:{poll.results_version}"


def results_table_html(poll: Poll, choices: list[Choice] | None = None) -> SafeString:
    """The results table (bars and numbers), from the cache when this version is there.

    The key holds the poll's results_version, which every vote bumps in the same
    transaction, so a cached copy is never served after the results changed, whichever
    app server cached it. Pass the choices if they are loaded already; otherwise they are
    read only on a cache miss.
    """
    key = results_cache_key(poll)
    html = cache.get(key)
    if html is None:
        if choices is None:
            choices = list(poll.choices.all())
        html = render_to_string(
            "polls/_results_table.html", {"poll": poll, "results": poll_results(poll, choices)}
        )
        cache.set(key, html, poll_setting("POLLS_RESULTS_CACHE_SECONDS"))
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping template


def _csv_cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas; a leading quote keeps text text.
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def results_csv(poll: Poll) -> str:
    """The results as CSV: one row per choice, then the total number of ballots."""
    results = poll_results(poll, list(poll.choices.all()))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Choice", "Votes", "Percent of voters"])
    for row in results.rows:
        writer.writerow([_csv_cell(row.choice.text), row.votes, f"{row.percent_exact:.1f}"])
    writer.writerow(["Total voters", results.total, ""])
    return out.getvalue()
