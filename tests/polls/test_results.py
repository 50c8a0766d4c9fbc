"""Results counted from the ballots (polls/results.py): cached by version, verified."""

import pytest
from django.core.cache import cache

from polls import voting
from polls.results import count_results, poll_results, results_csv, results_verify
from polls.voters import Voter
from tests.factories import make_ballots, make_poll
from tests.polls.conftest import choice_ids

pytestmark = pytest.mark.django_db


def cast(poll, *ids, name: str) -> None:
    voting.ballot_cast(
        poll=poll, voter=Voter(key=f"anon:{name}", anonymous_id=name), choice_ids=list(ids)
    )


def test_results_count_the_ballots(poll):
    first, second, _ = choice_ids(poll)
    for n, choice in enumerate([first, first, second]):
        cast(poll, choice, name=str(n))
    results = poll_results(poll)
    assert results.total == 3
    assert [(row.votes, row.percent) for row in results.rows] == [(2, 67), (1, 33), (0, 0)]
    assert [row.is_leader for row in results.rows] == [True, False, False]


@pytest.mark.parametrize(
    ("votes", "percents"),
    [
        ((1, 1, 1), [34, 33, 33]),
        ((1, 1, 1, 1, 1, 1, 1), [15, 15, 14, 14, 14, 14, 14]),
        ((2, 2, 2, 1), [29, 29, 28, 14]),
        ((5, 0, 0), [100, 0, 0]),
    ],
)
def test_single_choice_percentages_add_up_to_100(votes, percents):
    poll = make_poll(choices=tuple(f"Choice {n}" for n in range(len(votes))))
    for choice, count in zip(poll.choices.order_by("position"), votes, strict=True):
        make_ballots(poll, count, choice=choice)
    results = count_results(poll)
    assert [row.percent for row in results.rows] == percents
    assert sum(row.percent for row in results.rows) == 100


def test_multiple_choice_percentages_are_of_voters():
    poll = make_poll(multiple=True, max_choices=3)
    first, second, third = choice_ids(poll)
    cast(poll, first, second, name="a")
    cast(poll, first, third, name="b")
    results = count_results(poll)
    assert results.total == 2
    assert [row.percent for row in results.rows] == [100, 50, 50]


def test_results_are_served_from_the_cache_until_a_vote(poll, django_assert_num_queries):
    first = choice_ids(poll)[0]
    poll_results(poll)
    with django_assert_num_queries(0):
        assert poll_results(poll).total == 0
    cast(poll, first, name="x")
    assert poll_results(poll).total == 1


def test_verify_finds_nothing_after_normal_voting(poll):
    for n, choice in enumerate(choice_ids(poll)):
        cast(poll, choice, name=str(n))
    poll_results(poll)
    assert results_verify() == []


def test_verify_reports_and_repairs_counts_a_missed_version_left_behind(poll):
    first = choice_ids(poll)[0]
    shown = poll_results(poll)  # cached with 0 votes
    # A ballot stored while the cache missed the version change (Redis was unreachable).
    from polls.models import Ballot

    ballot = Ballot.objects.create(poll=poll, voter_key="anon:missed")
    ballot.choices.add(first)
    assert poll_results(poll) == shown  # readers still see the old count
    drifts = results_verify()
    assert [(d.shown.total, d.counted.total) for d in drifts] == [(0, 1)]
    assert poll_results(poll) == shown  # only reported
    results_verify(repair=True)
    assert poll_results(poll).total == 1
    assert results_verify() == []


def test_csv_has_a_row_per_choice_and_the_total(poll):
    cast(poll, choice_ids(poll)[0], name="a")
    lines = results_csv(poll).splitlines()
    assert lines[0] == "Choice,Votes,Percent of voters"
    assert lines[1].endswith(",1,100.0")
    assert lines[-1] == "Total voters,1,"


def test_csv_cells_that_look_like_formulas_stay_text():
    poll = make_poll(choices=("=HYPERLINK(1)", "+1", "Plain"))
    lines = results_csv(poll).splitlines()
    assert lines[1].startswith("'=HYPERLINK(1)")
    assert lines[2].startswith("'+1")


def test_cached_results_expire_with_the_cache(poll):
    poll_results(poll)
    cache.clear()
    assert poll_results(poll).total == 0
