"""Answers and promotions arriving at the same moment, each thread on its own connection
(both databases: PostgreSQL's row locks, the poll's advisory lock and the unique
constraints; SQLite's one writer at a time)."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from comments.models import Agreement, Promotion
from comments.promotion import alternative_promote
from polls.models import Ballot, Choice
from polls.results import results_verify
from tests.comments.alt_helpers import agree_url, definition, write_in_poll
from tests.factories import voter_client
from tests.polls.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

# 50 voters from 25 threads, released together: as in tests/polls/test_concurrency.py, each
# thread is a connection, and PostgreSQL's 100 connections are shared with the machine.
VOTERS = 50
THREADS = 25


def test_50_voters_answering_at_once_leave_50_answers(trainer):
    poll = write_in_poll(trainer)
    alt = definition(poll)
    url = agree_url(alt)

    def thread_of(t: int):
        def job() -> list[int]:
            return [
                voter_client(f"crowd-{n}")
                .post(url, {"answer": "agree" if n % 2 else "disagree"})
                .status_code
                for n in range(t, VOTERS, THREADS)
            ]

        return job

    results = run_at_once([thread_of(t) for t in range(THREADS)])
    statuses = Counter(status for result in results for status in result)
    assert statuses == {302: VOTERS}, results
    assert Agreement.objects.filter(comment=alt).count() == VOTERS
    assert Agreement.objects.filter(comment=alt, agrees=True).count() == VOTERS // 2


def test_one_voter_answering_20_times_at_once_leaves_one_answer(trainer):
    poll = write_in_poll(trainer)
    alt = definition(poll)
    url = agree_url(alt)

    def post(n: int):
        answer = "agree" if n % 2 else "disagree"
        return lambda: voter_client("same-browser").post(url, {"answer": answer}).status_code

    statuses = run_at_once([post(n) for n in range(20)])
    assert Counter(statuses) == {302: 20}, statuses
    assert Agreement.objects.filter(comment=alt).count() == 1


def test_two_promotions_of_one_comment_racing_votes_make_one_choice(trainer):
    poll = write_in_poll(trainer, allow_vote_change=True)
    alt = definition(poll)
    choices = list(poll.choices.values_list("pk", flat=True))
    url = f"/polls/{poll.slug}/vote/"

    def promoter():
        try:
            return alternative_promote(comment=alt, actor=trainer).choice_id
        except ValidationError as error:
            return error.code

    def voter(t: int):
        def job() -> list[int]:
            return [
                voter_client(f"v-{t}-{n}").post(url, {"choice": choices[n % 3]}).status_code
                for n in range(4)
            ]

        return job

    results = run_at_once([promoter, promoter] + [voter(t) for t in range(10)])
    outcomes = results[:2]
    assert sorted(map(str, outcomes)).count("already_added") == 1, outcomes
    assert Promotion.objects.filter(comment=alt, undone_at__isnull=True).count() == 1
    assert Choice.objects.filter(poll=poll).count() == 4
    statuses = Counter(status for result in results[2:] for status in result)
    assert statuses == {302: 40}, statuses
    assert Ballot.objects.filter(poll=poll).count() == 40
    assert results_verify() == []
