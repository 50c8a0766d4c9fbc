"""The home page: what socialpoll is, open polls with counts and a public result preview,
closed polls below, a trainer's drafts first; cached cards, constant queries."""

import re

import pytest
from django.test import Client

from comments import moderation
from comments.models import Comment
from core.cache import cache
from polls import lifecycle
from polls.models import Poll
from tests.comments.helpers import add
from tests.factories import make_ballots, make_poll, voter_client
from tests.polls.conftest import choice_ids

pytestmark = pytest.mark.django_db

ALWAYS = Poll.ResultsVisibility.ALWAYS


def home(client=None) -> str:
    return (client or Client()).get("/").content.decode()


def card(html: str, question: str) -> str:
    """The card of this poll (from its question to the end of its <article>)."""
    return html.split(question, 1)[1].split("</article>", 1)[0]


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_home_says_what_socialpoll_is_in_one_heading_and_a_sentence():
    html = home()
    assert html.count("<h1") == 1
    assert "socialpoll runs definition polls for workshops" in html


def test_open_polls_come_before_closed_ones_whatever_their_age():
    closed = make_poll(question="Closed newest?")
    make_poll(question="Open older?", published_at=closed.published_at.replace(year=2020))
    lifecycle.poll_close(poll=closed)
    html = home()
    assert html.index("Open now") < html.index("Open older?")
    assert html.index("Open older?") < html.index("Closed polls") < html.index("Closed newest?")


def test_cards_show_vote_and_comment_counts():
    poll = make_poll(question="Counted?")
    make_ballots(poll, 3)
    add(poll, body="One")
    add(poll, body="Two")
    add(poll, body="Held", status=Comment.Status.PENDING)
    assert "3 votes · 2 comments" in text(card(home(), "Counted?"))


def test_preview_shows_results_only_where_anyone_may_see_them():
    public = make_poll(question="Public?", results_visibility=ALWAYS, choices=("Alpha", "Beta"))
    make_ballots(public, 3, choice=public.choices.get(text="Alpha"))
    make_ballots(public, 1, choice=public.choices.get(text="Beta"))
    private = make_poll(
        question="After vote?",
        results_visibility=Poll.ResultsVisibility.AFTER_VOTE,
        choices=("Gamma", "Delta"),
    )
    make_ballots(private, 2)
    html = home()
    assert "75%" in card(html, "Public?") and "25%" in card(html, "Public?")
    assert "Gamma" not in card(html, "After vote?")
    assert "Vote to see the results." in card(html, "After vote?")


def test_a_closed_poll_shows_its_results_once_the_rule_allows():
    poll = make_poll(
        question="Until close?",
        results_visibility=Poll.ResultsVisibility.AFTER_CLOSE,
        choices=("Gamma", "Delta"),
    )
    make_ballots(poll, 2)
    assert "Gamma" not in card(home(), "Until close?")
    lifecycle.poll_close(poll=poll)
    assert "Gamma" in card(home(), "Until close?") and "100%" in card(home(), "Until close?")


def test_a_vote_and_a_comment_show_on_the_next_load_of_the_cached_cards():
    poll = make_poll(question="Live?", results_visibility=ALWAYS)
    assert "0 votes · 0 comments" in text(card(home(), "Live?"))
    voter_client().post(f"/polls/{poll.slug}/vote/", {"choice": choice_ids(poll)[0]})
    moderation.comment_approve(comment=add(poll, status=Comment.Status.PENDING))
    shown = text(card(home(), "Live?"))
    assert "1 vote · 1 comment" in shown and "100%" in shown


@pytest.mark.parametrize("n", [1, 10])
def test_home_costs_the_same_queries_for_1_or_10_polls_even_uncached(n, django_assert_num_queries):
    for i in range(n):
        poll = make_poll(question=f"Define thing {i}?", results_visibility=ALWAYS)
        make_ballots(poll, 2)
        add(poll, body="Hi")
    lifecycle.poll_close(poll=poll)
    Client().get("/")  # per-process lookups
    cache.clear()
    # how many polls, which, their cards (polls with totals, choice counts, comment counts)
    with django_assert_num_queries(5):
        html = home()
    assert html.count("1 comment") == n


def test_a_trainer_sees_start_a_poll_and_their_drafts_first(client, trainer, other_trainer):
    make_poll(question="Published one?")
    draft = make_poll(question="My draft?", author=trainer, status=Poll.Status.DRAFT)
    make_poll(question="Their draft?", author=other_trainer, status=Poll.Status.DRAFT)
    client.force_login(trainer)
    html = home(client)
    assert 'href="/polls/new/">Start a poll</a>' in html
    assert html.index("Your drafts") < html.index("My draft?") < html.index("Published one?")
    assert f'href="/polls/{draft.slug}/edit/"' in html
    assert "Their draft?" not in html
    assert "Your drafts" not in home() and "Start a poll" not in home()
