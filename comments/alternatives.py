"""Alternative definitions: what the write-in composer posts, the similar ones it offers
first, and readers' Agree / Disagree on each (one answer per voter, changeable).

An alternative definition is a comment (``Comment.is_alternative``), posted and moderated
like any other (comments/posting.py, comments/moderation.py); only approved ones are shown,
answered, counted or offered as similar.
"""

import html
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import strip_tags

from comments.models import Agreement, Comment, Promotion
from core import versions
from polls import voting
from polls.models import Poll
from polls.voters import Voter

# A definition is meant to become a choice of the poll, whose text is one line of at most
# 300 characters (polls.Choice.text).
DEFINITION_MAX_LENGTH = 300
SIMILAR_SHOWN = 3
# pg_trgm's similarity() from 0 to 1; 0.3 is its own default threshold for "%".
TRIGRAM_THRESHOLD = 0.3
# SQLite: the share of words two definitions have in common (Jaccard), and how many of the
# newest alternatives are compared.
WORD_OVERLAP_THRESHOLD = 0.4
WORD_OVERLAP_CANDIDATES = 300
SORTS = {"newest": "Newest", "agreed": "Most agreed"}
SHOWN = 50  # alternatives listed under a poll (the thread holds them all)

_WORD = re.compile(r"\w+")


def definition_text(comment: Comment) -> str:
    """The definition as one line of plain text (what a choice made from it says)."""
    text = html.unescape(strip_tags(comment.body_html or comment.render_body()))
    return " ".join(text.split())[:DEFINITION_MAX_LENGTH]


def alternatives(poll: Poll) -> QuerySet[Comment]:
    """The poll's approved alternative definitions, each with ``agree_count``,
    ``disagree_count`` and ``promoted_choice_id`` (one query)."""
    live = Promotion.objects.filter(comment=OuterRef("pk"), undone_at__isnull=True)
    return (
        Comment.objects.for_poll(poll)
        .visible()
        .filter(is_alternative=True)
        .annotate(
            agree_count=Count("agreements", filter=Q(agreements__agrees=True)),
            disagree_count=Count("agreements", filter=Q(agreements__agrees=False)),
            promoted_choice_id=Subquery(live.values("choice_id")[:1]),
        )
    )


def alternatives_sorted(poll: Poll, *, sort: str) -> QuerySet[Comment]:
    if sort == "agreed":
        return alternatives(poll).order_by("-agree_count", "disagree_count", "-created_at", "-pk")
    return alternatives(poll).order_by("-created_at", "-pk")


def _words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.casefold()) if len(word) > 2}


def similar_alternatives(*, poll: Poll, text: str, limit: int = SIMILAR_SHOWN) -> list[Comment]:
    """Up to `limit` approved alternatives that read like `text`, closest first:
    trigram similarity on PostgreSQL, shared words elsewhere."""
    text = " ".join((text or "").replace("\x00", "").split())[:DEFINITION_MAX_LENGTH]
    if not text:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            alternatives(poll)
            .annotate(similarity=TrigramSimilarity("body", text))
            .filter(similarity__gte=TRIGRAM_THRESHOLD)
            .order_by("-similarity", "-pk")[:limit]
        )
    words = _words(text)
    if not words:
        return []
    scored = []
    for comment in alternatives(poll).order_by("-pk")[:WORD_OVERLAP_CANDIDATES]:
        theirs = _words(comment.body)
        overlap = len(words & theirs) / len(words | theirs) if theirs else 0
        if overlap >= WORD_OVERLAP_THRESHOLD:
            scored.append((overlap, comment.pk, comment))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return [comment for _, _, comment in scored[:limit]]


@dataclass(frozen=True)
class AgreementOutcome:
    agreement: Agreement
    created: bool
    changed: bool


def agreement_set(*, comment: Comment, voter: Voter, agrees: bool) -> AgreementOutcome:
    """Record this voter's Agree or Disagree on an alternative; a second answer replaces
    the first. One row per voter per alternative, whatever arrives at once
    (``agreement_one_per_voter``)."""
    if not (comment.is_alternative and comment.status == Comment.Status.APPROVED):
        raise ValidationError("This definition is no longer available.", code="not_available")
    if comment.poll.status != Poll.Status.PUBLISHED:
        raise ValidationError("This poll is not published.", code="not_published")
    for attempt in range(3):
        try:
            with transaction.atomic():
                outcome = _answer(comment, voter, agrees)
                if outcome.created or outcome.changed:
                    versions.content_changed(poll_id=comment.poll_id)
                return outcome
        except IntegrityError:  # the same voter's other request made the row just now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _answer(comment: Comment, voter: Voter, agrees: bool) -> AgreementOutcome:
    existing = (
        Agreement.objects.select_for_update().filter(comment=comment, voter_key=voter.key).first()
    )
    if existing is None:
        agreement = Agreement.objects.create(
            comment=comment, voter_key=voter.key, user=voter.user, agrees=agrees
        )
        return AgreementOutcome(agreement, created=True, changed=False)
    if existing.agrees == agrees:
        return AgreementOutcome(existing, created=False, changed=False)
    existing.agrees = agrees
    existing.updated_at = timezone.now()
    existing.save(update_fields=["agrees", "updated_at"])
    return AgreementOutcome(existing, created=False, changed=True)


def answers_of(*, voter: Voter, comment_ids: list[int]) -> dict[int, bool]:
    """This voter's answers on these alternatives (no query for a browser new here)."""
    if voter.is_new or not comment_ids:
        return {}
    rows = Agreement.objects.filter(voter_key=voter.key, comment_id__in=comment_ids)
    return dict(rows.values_list("comment_id", "agrees"))


def own_alternative(*, poll: Poll, voter: Voter) -> Comment | None:
    """The alternative definition this voter posted in this poll (held or approved)."""
    if voter.is_new:
        return None
    return (
        Comment.objects.for_poll(poll)
        .filter(
            is_alternative=True,
            author_key=voter.key,
            status__in=[Comment.Status.PENDING, Comment.Status.APPROVED],
        )
        .order_by("-pk")
        .first()
    )


def write_in_vote_waiting(*, poll: Poll, voter: Voter) -> bool:
    """Whether this voter's vote for "something else" waits for their definition: the poll
    says a write-in vote needs one, and their ballot in this round does not hold it yet."""
    if not (poll.write_in and poll.write_in_needs_definition):
        return False
    write_in = poll.choices.filter(is_write_in=True).values_list("pk", flat=True).first()
    return write_in is not None and write_in not in voting.ballot_choice_ids(poll=poll, voter=voter)


def write_in_vote_cast(*, poll: Poll, voter: Voter) -> voting.CastOutcome:
    """Cast the vote for "something else" that waited for the voter's definition (they have
    just posted it, or posted one before). ValidationError as ballot_cast raises it."""
    if own_alternative(poll=poll, voter=voter) is None:
        raise ValidationError("Write your definition first.", code="definition_needed")
    write_in = poll.choices.get(is_write_in=True)
    return voting.ballot_cast(
        poll=poll, voter=voter, choice_ids=[write_in.pk], with_definition=True
    )
