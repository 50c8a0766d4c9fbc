"""Votes arriving at the same moment, each thread with its own database connection.

These run on both databases: PostgreSQL (row locks on the poll, the unique ballot
constraint) and SQLite (BEGIN IMMEDIATE with a 20 s busy timeout serialises writers).
"""

import threading
from collections import Counter

import pytest
from django.db import connections

from polls.models import Ballot
from polls.services import counters_verify
from tests.factories import make_poll, voter_client
from tests.polls.conftest import choice_ids, counts, vote_url

pytestmark = pytest.mark.django_db(transaction=True)

# 100 voters from 25 threads: each thread is one connection, and PostgreSQL's default
# max_connections (100) must leave room for everything else on the machine.
VOTERS = 100
THREADS = 25


def run_at_once(jobs: list) -> list:
    """Run each job in its own thread, all released together; return what each returned."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = jobs[index]()
        except Exception as error:  # reported by the assertions below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a voting thread hung"
    return results


def test_100_distinct_voters_at_once_are_all_counted():
    poll = make_poll(choices=("A", "B", "C", "D"))
    choices = choice_ids(poll)
    url = vote_url(poll)

    def voters_of_one_thread(thread: int):
        def job() -> list[int]:
            statuses = []
            for n in range(thread, VOTERS, THREADS):
                client = voter_client(f"crowd-{n}")
                statuses.append(client.post(url, {"choice": choices[n % 4]}).status_code)
            return statuses

        return job

    results = run_at_once([voters_of_one_thread(t) for t in range(THREADS)])
    statuses = [status for result in results for status in result]
    assert Counter(statuses) == {302: VOTERS}, results
    assert counts(poll) == (VOTERS, VOTERS, [25, 25, 25, 25])
    assert counters_verify() == []


def test_one_voter_posting_20_times_at_once_leaves_exactly_one_ballot():
    poll = make_poll(choices=tuple(f"Choice {n}" for n in range(5)))
    choices = choice_ids(poll)
    url = vote_url(poll)

    def post(n: int):
        return lambda: (
            voter_client("same-browser").post(url, {"choice": choices[n % 5]}).status_code
        )

    statuses = run_at_once([post(n) for n in range(20)])
    assert Counter(statuses) == {302: 1, 409: 19}, statuses
    ballot = Ballot.objects.get(poll=poll)
    assert len(ballot.choice_ids) == 1
    ballots, total, votes = counts(poll)
    assert (ballots, total, sum(votes)) == (1, 1, 1)
    assert counters_verify() == []


def test_one_voter_changing_their_vote_20_times_at_once_keeps_counters_exact():
    poll = make_poll(choices=tuple(f"Choice {n}" for n in range(5)), allow_vote_change=True)
    choices = choice_ids(poll)
    url = vote_url(poll)

    def post(n: int):
        return lambda: voter_client("changer").post(url, {"choice": choices[n % 5]}).status_code

    statuses = run_at_once([post(n) for n in range(20)])
    assert Counter(statuses) == {302: 20}, statuses
    ballots, total, votes = counts(poll)
    assert (ballots, total, sum(votes)) == (1, 1, 1)
    assert counters_verify() == []
