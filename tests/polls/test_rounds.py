"""Vote again: round 1 is frozen with its ballots, everyone may vote in round 2, and the
results compare the rounds side by side."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from polls import lifecycle, voting
from polls.models import Ballot
from polls.results import count_results, results_verify
from polls.voters import Voter
from tests.factories import make_poll, voter_client
from tests.polls.conftest import choice_ids, vote_url


def voter(name: str) -> Voter:
    return Voter(key=f"anon:{name}", anonymous_id=name)


@pytest.fixture
def poll(db, trainer):
    return make_poll(author=trainer, choices=("Alone", "With others", "On the job"))


def test_a_new_round_keeps_round_one_and_lets_everyone_vote_again(poll):
    alone, others, _ = choice_ids(poll)
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[alone])
    voting.ballot_cast(poll=poll, voter=voter("b"), choice_ids=[alone])
    poll = lifecycle.poll_round_start(poll=poll)
    assert poll.current_round == 2
    outcome = voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[others])
    assert outcome.created and outcome.ballot.round == 2
    assert set(Ballot.objects.values_list("voter_key", "round")) == {
        ("anon:a", 1),
        ("anon:b", 1),
        ("anon:a", 2),
    }
    results = count_results(poll)
    assert [r.votes for r in results.rows] == [0, 1, 0]
    assert [r.votes for r in results.earlier[0].rows] == [2, 0, 0]
    assert results_verify() == []


def test_the_database_allows_one_ballot_per_voter_per_round(poll):
    Ballot.objects.create(poll=poll, voter_key="anon:x", round=1)
    Ballot.objects.create(poll=poll, voter_key="anon:x", round=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(poll=poll, voter_key="anon:x", round=2)


def test_a_second_vote_in_the_new_round_is_refused_without_changes(poll):
    alone, others, _ = choice_ids(poll)
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[alone])
    poll = lifecycle.poll_round_start(poll=poll)
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[others])
    with pytest.raises(ValidationError) as refused:
        voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[alone])
    assert refused.value.code == "already_voted"


def test_a_vote_with_the_poll_read_before_the_new_round_goes_to_the_new_round(poll):
    alone = choice_ids(poll)[0]
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[alone])
    stale = type(poll).objects.get(pk=poll.pk)
    lifecycle.poll_round_start(poll=poll)
    outcome = voting.ballot_cast(poll=stale, voter=voter("b"), choice_ids=[alone])
    assert outcome.ballot.round == 2


@pytest.mark.parametrize(
    ("setup", "code"),
    [("no_votes", "empty_round"), ("closed", "not_open"), ("many", "too_many_rounds")],
)
def test_a_round_starts_only_on_an_open_poll_with_votes(poll, setup, code):
    if setup == "closed":
        voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=choice_ids(poll)[:1])
        lifecycle.poll_close(poll=poll)
    if setup == "many":
        for number in range(1, lifecycle.MAX_ROUNDS + 1):
            Ballot.objects.create(poll=poll, voter_key="anon:a", round=number)
        type(poll).objects.filter(pk=poll.pk).update(current_round=lifecycle.MAX_ROUNDS)
    with pytest.raises(ValidationError) as refused:
        lifecycle.poll_round_start(poll=poll)
    assert refused.value.code == code


def test_only_the_trainer_may_start_a_round(poll, other_trainer, reader):
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=choice_ids(poll)[:1])
    url = f"/polls/{poll.slug}/vote-again/"
    assert Client().post(url).status_code == 302  # to the login page
    for user in (other_trainer, reader):
        client = Client()
        client.force_login(user)
        assert client.post(url).status_code == 403
    poll.refresh_from_db()
    assert poll.current_round == 1


def test_the_trainer_starts_a_round_from_the_page_and_results_compare_rounds(poll, trainer):
    alone, others, _ = choice_ids(poll)
    readers = [voter_client() for _ in range(3)]
    for client in readers:
        client.post(vote_url(poll), {"choice": alone})
    client = Client()
    client.force_login(trainer)
    page = client.get(poll.get_absolute_url()).content.decode()
    assert ">Vote again</button>" in page
    response = client.post(f"/polls/{poll.slug}/vote-again/", follow=True)
    assert "Round 2 has started" in response.content.decode()
    for client_ in readers[:2]:
        client_.post(vote_url(poll), {"choice": others})
    html = readers[0].get(poll.get_absolute_url()).content.decode()
    assert "Rounds compared" in html
    assert '<th scope="col" class="text-end">Round 2 (now)</th>' in html
    row = html[html.index('<th scope="row" class="fw-normal">Alone</th>') :]
    assert row.split("</tr>")[0].count("<td") == 2
    assert "3 · 100%" in row.split("</tr>")[0] and "0 · 0%" in row.split("</tr>")[0]


def test_a_round_one_voter_sees_the_vote_form_again_even_from_a_cached_page(poll):
    alone = choice_ids(poll)[0]
    client = voter_client()
    client.post(vote_url(poll), {"choice": alone})
    Client().get(poll.get_absolute_url())  # a first-time reader's page is stored
    assert ">Vote</button>" not in client.get(poll.get_absolute_url()).content.decode()
    lifecycle.poll_round_start(poll=poll)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert ">Vote</button>" in html
    assert ">Vote</button>" in Client().get(poll.get_absolute_url()).content.decode()


def test_changes_in_round_two_are_counted_for_round_two(db):
    poll = make_poll(choices=("A", "B"), allow_vote_change=True)
    a, b = choice_ids(poll)
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[a])
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[b])
    poll = lifecycle.poll_round_start(poll=poll)
    assert count_results(poll).changed == 0
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[b])
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[a])
    results = count_results(poll)
    assert results.changed == 1 and results.flows[0].source == "B"


def test_the_home_page_counts_the_votes_of_the_current_round(poll):
    alone = choice_ids(poll)[0]
    for name in ("a", "b", "c"):
        voting.ballot_cast(poll=poll, voter=voter(name), choice_ids=[alone])
    poll = lifecycle.poll_round_start(poll=poll)
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[alone])
    assert type(poll).objects.with_ballot_totals().get(pk=poll.pk).ballot_total == 1
    assert '<span class="fw-semibold text-body">1 vote</span>' in Client().get("/").content.decode()
