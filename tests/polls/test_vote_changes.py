"""Minds changed: each change of ballot is recorded (from → to, when) and shown in results."""

import pytest

from polls import voting
from polls.models import VoteChange
from polls.results import count_results
from polls.voters import Voter
from tests.factories import make_poll, voter_client
from tests.polls.conftest import choice_ids, vote_url


def voter(name: str) -> Voter:
    return Voter(key=f"anon:{name}", anonymous_id=name)


@pytest.fixture
def changeable(db):
    return make_poll(choices=("Alone", "With others", "On the job"), allow_vote_change=True)


def test_a_change_is_recorded_from_and_to(changeable):
    alone, others, _ = choice_ids(changeable)
    voting.ballot_cast(poll=changeable, voter=voter("a"), choice_ids=[alone])
    assert not VoteChange.objects.exists()
    voting.ballot_cast(poll=changeable, voter=voter("a"), choice_ids=[others])
    change = VoteChange.objects.get()
    assert (change.from_ids, change.to_ids, change.round) == ([alone], [others], 1)
    assert change.created_at is not None


def test_the_same_vote_again_is_not_a_change(changeable):
    alone = choice_ids(changeable)[0]
    voting.ballot_cast(poll=changeable, voter=voter("a"), choice_ids=[alone])
    voting.ballot_cast(poll=changeable, voter=voter("a"), choice_ids=[alone])
    assert not VoteChange.objects.exists()


def test_results_count_voters_who_changed_and_the_flows(changeable):
    alone, others, job = choice_ids(changeable)
    for name, first, then in [("a", alone, others), ("b", alone, others), ("c", job, alone)]:
        voting.ballot_cast(poll=changeable, voter=voter(name), choice_ids=[first])
        voting.ballot_cast(poll=changeable, voter=voter(name), choice_ids=[then])
    voting.ballot_cast(poll=changeable, voter=voter("c"), choice_ids=[others])  # twice
    results = count_results(changeable)
    assert results.changed == 3
    assert [(f.source, f.target, f.changes) for f in results.flows] == [
        ("Alone", "With others", 3),
        ("On the job", "Alone", 1),
    ]


def test_multiple_choice_changes_show_both_sets(db):
    poll = make_poll(choices=("A", "B", "C"), multiple=True, max_choices=2, allow_vote_change=True)
    a, b, c = choice_ids(poll)
    voting.ballot_cast(poll=poll, voter=voter("m"), choice_ids=[a, b])
    voting.ballot_cast(poll=poll, voter=voter("m"), choice_ids=[c])
    assert [(f.source, f.target) for f in count_results(poll).flows] == [("A + B", "C")]


def test_the_results_page_says_who_changed_with_a_table(changeable):
    alone, others, _ = choice_ids(changeable)
    client = voter_client()
    client.post(vote_url(changeable), {"choice": alone})
    client.post(vote_url(changeable), {"choice": others})
    html = client.get(changeable.get_absolute_url()).content.decode()
    assert "1 changed their vote." in html
    assert '<td>Alone</td><td>With others</td><td class="text-end">1</td>' in html
    assert "changes-chart" not in html  # one band would say no more than the table's one row


def test_two_flows_or_more_are_drawn_as_a_chart_beside_the_table(changeable):
    alone, others, job = choice_ids(changeable)
    for first, then in [(alone, others), (job, alone)]:
        client = voter_client()
        client.post(vote_url(changeable), {"choice": first})
        client.post(vote_url(changeable), {"choice": then})
    html = client.get(changeable.get_absolute_url()).content.decode()
    assert "2 changed their vote." in html
    assert '<svg class="changes-chart"' in html and 'role="img"' in html
    assert html.count('<path class="flow-band') == 2
    assert "Flow of changed votes" in html


def test_an_anonymous_cached_page_shows_a_change_on_the_next_load(changeable):
    from django.test import Client

    alone, others, _ = choice_ids(changeable)
    Client().get(changeable.get_absolute_url())  # stored for first-time readers
    assert (
        "No one has changed their vote yet."
        in Client().get(changeable.get_absolute_url()).content.decode()
    )
    voting.ballot_cast(poll=changeable, voter=voter("z"), choice_ids=[alone])
    voting.ballot_cast(poll=changeable, voter=voter("z"), choice_ids=[others])
    assert "1 changed their vote." in Client().get(changeable.get_absolute_url()).content.decode()


def test_polls_without_vote_changes_show_no_minds_changed_block(db):
    poll = make_poll()
    html = voter_client().get(poll.get_absolute_url()).content.decode()
    assert "Minds changed" not in html


def test_choice_text_in_the_chart_and_table_is_escaped(db):
    poll = make_poll(choices=("<script>alert(1)</script>", "B & <b>"), allow_vote_change=True)
    evil, b = choice_ids(poll)
    for name, first, then in [("x", evil, b), ("y", b, evil)]:
        voting.ballot_cast(poll=poll, voter=voter(name), choice_ids=[first])
        voting.ballot_cast(poll=poll, voter=voter(name), choice_ids=[then])
    html = voter_client().get(poll.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (1)</text>" in html
