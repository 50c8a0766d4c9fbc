"""The trainer's debrief of a poll: what the room voted, how minds changed, and what the
discussion added (alternative definitions, promoted choices, the comment that speaks for
each choice), as Markdown to paste into a post and as CSV for a spreadsheet.

It composes both apps, so it lives on the comments side (comments may import polls, never
the reverse). Only approved comments count: held, spam and removed ones are left out of
every figure and quote.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from comments import alternatives
from comments.models import Comment, Promotion
from polls.models import Poll
from polls.results import Flow, PollResults, count_changes, count_results, csv_cell


@dataclass(frozen=True)
class RoundDebrief:
    results: PollResults
    changed: int
    flows: tuple[Flow, ...]


@dataclass(frozen=True)
class AlternativeRow:
    text: str
    name: str
    agrees: int
    disagrees: int
    promoted: bool


@dataclass(frozen=True)
class PromotionRow:
    text: str
    suggested_by: str
    promoted_by: str
    promoted_at: str
    comment_available: bool


@dataclass(frozen=True)
class StanceRow:
    choice: str
    supporting: int
    name: str = ""  # of the most-agreed supporting comment ("" when there is none)
    text: str = ""
    agrees: int = 0


@dataclass(frozen=True)
class Debrief:
    poll: Poll
    generated_at: str
    rounds: tuple[RoundDebrief, ...]
    alternatives: tuple[AlternativeRow, ...]
    promotions: tuple[PromotionRow, ...]
    stances: tuple[StanceRow, ...]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _with_agreements(comments):
    return comments.annotate(
        agrees=Count("agreements", filter=Q(agreements__agrees=True)),
        disagrees=Count("agreements", filter=Q(agreements__agrees=False)),
    )


def _alternatives(poll: Poll) -> tuple[AlternativeRow, ...]:
    """Approved alternative definitions (comments/alternatives.py says which, with their
    answers), most agreed first, then fewest disagreements, then oldest."""
    rows = alternatives.alternatives(poll).order_by(
        "-agree_count", "disagree_count", "created_at", "pk"
    )
    return tuple(
        AlternativeRow(
            text=_one_line(row.body),
            name=row.name,
            agrees=row.agree_count,
            disagrees=row.disagree_count,
            promoted=row.promoted_choice_id is not None,
        )
        for row in rows
    )


def _promotions(poll: Poll) -> tuple[PromotionRow, ...]:
    rows = (
        Promotion.objects.filter(poll=poll, undone_at__isnull=True)
        .select_related("comment", "promoted_by")
        .order_by("created_at", "pk")
    )
    return tuple(
        PromotionRow(
            text=row.choice_text,
            suggested_by=row.suggested_by,
            promoted_by=(row.promoted_by.get_full_name() or row.promoted_by.get_username())
            if row.promoted_by
            else "",
            promoted_at=timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"),
            comment_available=row.comment is not None and row.comment.is_approved,
        )
        for row in rows
    )


def _stances(poll: Poll, results: PollResults) -> tuple[StanceRow, ...]:
    """Per choice: the approved comments supporting it, and the most agreed of them (the
    earliest among equals, so the first when none has an agreement: readers answer only
    alternative definitions, which support no choice)."""
    supporting = Comment.objects.stance_counts(poll)
    leaders: dict[int, Comment] = {}
    comments = _with_agreements(
        Comment.objects.for_poll(poll).visible().filter(stance__isnull=False)
    ).order_by("-agrees", "created_at", "pk")
    for comment in comments.only("pk", "stance_id", "name", "body", "created_at"):
        leaders.setdefault(comment.stance_id, comment)
    rows = []
    for row in results.rows:
        leader = leaders.get(row.choice_id)
        rows.append(
            StanceRow(
                choice=row.text,
                supporting=supporting.get(row.choice_id, 0),
                name=leader.name if leader else "",
                text=_one_line(leader.body) if leader else "",
                agrees=leader.agrees if leader else 0,
            )
        )
    return tuple(rows)


def poll_debrief(*, poll: Poll) -> Debrief:
    """Everything the debrief says, counted now from the database."""
    results = count_results(poll)
    rounds = []
    for round_results in results.rounds:
        changed, flows = count_changes(poll, round_results.round)
        rounds.append(RoundDebrief(results=round_results, changed=changed, flows=flows))
    return Debrief(
        poll=poll,
        generated_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        rounds=tuple(rounds),
        alternatives=_alternatives(poll),
        promotions=_promotions(poll),
        stances=_stances(poll, results),
    )


# Characters that mean something to Markdown (CommonMark and GitHub's tables) inside a line;
# backslash-escaped, they show as themselves. "&" too, so "&lt;" stays five characters. The
# debrief never starts a line with a value, so what matters only there (#, -, 1.) is left.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def markdown_escape(text: str) -> str:
    """One line of plain text, safe inside a Markdown paragraph, list item or table cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(str(text)))


def debrief_markdown(debrief: Debrief) -> str:
    """The debrief as Markdown, readable as it is (comments/debrief.md)."""
    return render_to_string("comments/debrief.md", {"debrief": debrief})


def debrief_csv(debrief: Debrief) -> str:
    """The debrief as CSV: one block per section, each with its own header row."""
    out = io.StringIO()
    write = csv.writer(out).writerow

    def row(*cells) -> None:
        write([csv_cell(cell) if isinstance(cell, str) else cell for cell in cells])

    row("Debrief", debrief.poll.question)
    row("Generated", debrief.generated_at)
    row()
    row("Round", "Choice", "Votes", "Percent")
    for rnd in debrief.rounds:
        for result in rnd.results.rows:
            row(rnd.results.round, result.text, result.votes, f"{result.percent_exact:.1f}")
        row(rnd.results.round, "Total voters", rnd.results.total, "")
    row()
    row("Round", "Changed their vote", "From", "To", "Changes")
    for rnd in debrief.rounds:
        row(rnd.results.round, rnd.changed, "", "", "")
        for flow in rnd.flows:
            row(rnd.results.round, "", flow.source, flow.target, flow.changes)
    row()
    row("Alternative definition", "Suggested by", "Agree", "Disagree", "Added as a choice")
    for alt in debrief.alternatives:
        row(alt.text, alt.name, alt.agrees, alt.disagrees, "yes" if alt.promoted else "no")
    row()
    row("Added choice", "Suggested by", "Added by", "Added at", "Comment still published")
    for promo in debrief.promotions:
        row(promo.text, promo.suggested_by, promo.promoted_by, promo.promoted_at,
            "yes" if promo.comment_available else "no")  # fmt: skip
    row()
    row("Choice", "Supporting comments", "Most agreed (else first) comment by", "Comment", "Agree")
    for stance in debrief.stances:
        row(stance.choice, stance.supporting, stance.name, stance.text, stance.agrees)
    return out.getvalue()
