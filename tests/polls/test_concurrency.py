"""Votes arriving at the same moment, each thread with its own database connection.

These run on both databases: PostgreSQL (the poll's advisory lock, shared by voters and
exclusive for a close or an edit; the unique ballot constraint) and SQLite (BEGIN IMMEDIATE
with a 20 s busy timeout serialises writers).
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from polls import lifecycle, voting
from polls.locks import poll_lock
from polls.models import Ballot, Choice
from polls.results import poll_results, results_verify
from polls.voters import Voter
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
    assert results_verify() == []


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
    assert results_verify() == []


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
    assert results_verify() == []


def test_votes_racing_poll_close_are_counted_until_it_commits_and_refused_after():
    """Every stored ballot was answered 302; once poll_close has returned, every vote is 403."""
    poll = make_poll(choices=("A", "B", "C"))
    choices = choice_ids(poll)
    url = vote_url(poll)
    closed = threading.Event()

    def racer(thread: int):
        def job() -> list[tuple[bool, int]]:
            seen = []
            client_ip = f"203.0.113.{thread + 1}"  # one rate-limit bucket per racer
            for n in range(1000):
                after_close = closed.is_set()  # poll_close had committed before this POST
                client = voter_client(f"racer-{thread}-{n}", REMOTE_ADDR=client_ip)
                seen.append((after_close, client.post(url, {"choice": choices[n % 3]}).status_code))
                if after_close:
                    break
            return seen

        return job

    def closer() -> str:
        deadline = time.monotonic() + 60
        while Ballot.objects.filter(poll=poll).count() < 20 and time.monotonic() < deadline:
            time.sleep(0.002)
        lifecycle.poll_close(poll=poll)
        closed.set()
        return "closed"

    results = run_at_once([closer] + [racer(t) for t in range(12)])
    assert results[0] == "closed", results[0]
    assert not any(isinstance(result, Exception) for result in results), results
    seen = [entry for result in results[1:] for entry in result]
    statuses = Counter(status for _, status in seen)
    assert set(statuses) <= {302, 403}, statuses
    assert [status for after, status in seen if after] == [403] * 12
    ballots, total, votes = counts(poll)
    assert statuses[302] >= 20
    assert ballots == total == sum(votes) == statuses[302]
    assert results_verify() == []


def _wait_until_a_query_waits_for_a_lock(timeout: float = 20) -> None:
    if connection.vendor != "postgresql":
        time.sleep(0.5)  # SQLite: the voter waits in BEGIN IMMEDIATE; nothing to look at
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the vote never waited for the poll's lock")


def test_a_vote_writes_only_its_own_rows(poll, django_assert_max_num_queries):
    """No row that every voter of a poll must write: a vote inserts its ballot and the
    ballot's choices, and updates nothing."""
    from django.test.utils import CaptureQueriesContext

    first = choice_ids(poll)[0]
    with CaptureQueriesContext(connection) as captured:
        voting.ballot_cast(
            poll=poll, voter=Voter(key="anon:one", anonymous_id="one"), choice_ids=[first]
        )
    writes = [
        q["sql"]
        for q in captured
        if q["sql"].lstrip().upper().startswith(("UPDATE", "DELETE", "INSERT"))
    ]
    assert all(sql.lstrip().upper().startswith("INSERT") for sql in writes), writes
    tables = {sql.split()[2].strip('"') for sql in writes}
    assert tables == {Ballot._meta.db_table, Ballot.choices.through._meta.db_table}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writing transaction at a time by design (BEGIN IMMEDIATE); "
    "voters there queue on the database, not on a row. On SQLite the test above shows "
    "that a vote writes no shared row.",
)
def test_two_voters_of_one_poll_never_wait_for_each_other(poll):
    """Voter A's ballot is inside an open transaction; voter B, on another connection with
    a 1-second lock timeout, votes in the same poll (for the same choice) and commits first."""
    first = choice_ids(poll)[0]
    outcome: list = []

    def voter_b() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                voting.ballot_cast(
                    poll=poll, voter=Voter(key="anon:b", anonymous_id="b"), choice_ids=[first]
                )
            outcome.append("committed")
        except Exception as error:  # reported by the assertion below
            outcome.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        voting.ballot_cast(
            poll=poll, voter=Voter(key="anon:a", anonymous_id="a"), choice_ids=[first]
        )
        other = threading.Thread(target=voter_b)
        other.start()
        other.join(timeout=30)
        assert outcome == ["committed"], outcome
        # B's ballot is committed while A's transaction is still open.
        assert Ballot.objects.filter(poll=poll).count() == 2
    assert poll_results(poll).total == 2
    assert results_verify() == []


def test_a_close_waits_for_the_vote_in_flight_and_no_ballot_comes_after_it(poll):
    """A vote holds the poll's lock (shared); the close waits for it, then no vote counts."""
    first = choice_ids(poll)[0]
    closed: list = []

    def close() -> None:
        try:
            lifecycle.poll_close(poll=poll)
            closed.append("closed")
        except Exception as error:  # reported by the assertion below
            closed.append(error)
        finally:
            connections.close_all()

    closer = threading.Thread(target=close)
    with transaction.atomic():
        voting.ballot_cast(
            poll=poll, voter=Voter(key="anon:a", anonymous_id="a"), choice_ids=[first]
        )
        closer.start()
        _wait_until_a_query_waits_for_a_lock()
        assert closed == []  # still waiting for the vote to commit
    closer.join(timeout=30)
    assert closed == ["closed"], closed
    assert voter_client("late").post(vote_url(poll), {"choice": first}).status_code == 403
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_a_choice_removed_while_a_vote_for_it_waits_is_refused_and_nothing_is_written():
    """The vote read the choice before it waited; the removal commits first: 400, no trace."""
    poll = make_poll(choices=("Kept", "Also kept", "Removed"))
    kept, _, removed = choice_ids(poll)
    answer: list = []

    def vote() -> None:
        try:
            answer.append(voter_client("waiter").post(vote_url(poll), {"choice": removed}))
        except Exception as error:  # reported by the assertion below
            answer.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():  # a trainer's edit, as poll_update takes it: the poll first
        poll_lock(poll.pk, shared=False)
        Choice.objects.filter(pk=removed).delete()
        voter = threading.Thread(target=vote)
        voter.start()
        _wait_until_a_query_waits_for_a_lock()
    voter.join(timeout=60)
    assert not voter.is_alive()
    assert answer[0].status_code == 400, answer
    assert "That is not one of this poll&#x27;s choices." in answer[0].content.decode()
    assert counts(poll) == (0, 0, [0, 0])
    assert voter_client("waiter").post(vote_url(poll), {"choice": kept}).status_code == 302
    assert counts(poll) == (1, 1, [1, 0])
    assert results_verify() == []
