"""Rounds and recorded changes under concurrent votes, on both databases."""

import itertools
import threading
import time
from collections import Counter

import pytest

from polls import lifecycle
from polls.models import Ballot, VoteChange
from polls.results import count_results, results_verify
from tests.factories import make_poll, voter_client
from tests.polls.conftest import choice_ids, vote_url
from tests.polls.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_votes_racing_a_new_round_land_in_round_one_until_it_commits_and_round_two_after():
    poll = make_poll(choices=("A", "B", "C"))
    choices = choice_ids(poll)
    started = threading.Event()

    def racer(thread: int):
        def job() -> list[tuple[bool, str]]:
            seen = []
            for n in range(1000):
                after = started.is_set()  # the new round had committed before this POST
                name = f"racer-{thread}-{n}"
                client = voter_client(name, REMOTE_ADDR=f"203.0.113.{thread + 1}")
                assert client.post(vote_url(poll), {"choice": choices[n % 3]}).status_code == 302
                seen.append((after, f"anon:{name}"))
                if after:
                    break
            return seen

        return job

    def starter() -> str:
        deadline = time.monotonic() + 60
        while Ballot.objects.filter(poll=poll).count() < 20 and time.monotonic() < deadline:
            time.sleep(0.002)
        lifecycle.poll_round_start(poll=poll)
        started.set()
        return "started"

    results = run_at_once([starter] + [racer(t) for t in range(8)])
    assert results[0] == "started", results[0]
    assert not any(isinstance(result, Exception) for result in results), results
    rounds = dict(Ballot.objects.filter(poll=poll).values_list("voter_key", "round"))
    seen = [entry for result in results[1:] for entry in result]
    assert len(rounds) == len(seen)  # every answered vote is one ballot
    assert {rounds[key] for after, key in seen if after} == {2}
    assert Counter(rounds.values())[1] >= 20
    poll.refresh_from_db()
    results_now = count_results(poll)
    assert results_now.total == Counter(rounds.values())[2]
    assert results_now.earlier[0].total == Counter(rounds.values())[1]
    assert results_verify() == []


def test_20_changes_at_once_from_one_voter_leave_an_unbroken_chain_of_changes():
    """Each change is recorded in the change's own transaction: read in order, every change
    starts where the one before ended, and the last ends at the ballot as it is."""
    poll = make_poll(choices=tuple(f"Choice {n}" for n in range(5)), allow_vote_change=True)
    choices = choice_ids(poll)

    def post(n: int):
        return lambda: (
            voter_client("changer").post(vote_url(poll), {"choice": choices[n % 5]}).status_code
        )

    statuses = run_at_once([post(n) for n in range(20)])
    assert Counter(statuses) == {302: 20}, statuses
    ballot = Ballot.objects.get(poll=poll)
    chain = list(VoteChange.objects.filter(ballot=ballot).order_by("pk"))
    assert chain, "some of 20 different votes must have changed the ballot"
    for before, after in itertools.pairwise(chain):
        assert before.to_ids == after.from_ids
    assert chain[-1].to_ids == sorted(ballot.choice_ids)
    assert count_results(poll).changed == 1
    assert results_verify() == []


def test_one_voter_posting_20_times_at_once_in_round_two_leaves_one_ballot_there():
    poll = make_poll(choices=("A", "B"))
    choices = choice_ids(poll)
    assert voter_client("same").post(vote_url(poll), {"choice": choices[0]}).status_code == 302
    lifecycle.poll_round_start(poll=poll)

    def post(n: int):
        return lambda: (
            voter_client("same").post(vote_url(poll), {"choice": choices[n % 2]}).status_code
        )

    statuses = run_at_once([post(n) for n in range(20)])
    assert Counter(statuses) == {302: 1, 409: 19}, statuses
    assert Counter(Ballot.objects.filter(poll=poll).values_list("round", flat=True)) == {1: 1, 2: 1}
