from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from polls import pagecache
from polls.models import Ballot, Poll
from polls.results import poll_results
from tests.factories import make_ballots, make_poll, make_user, voter_client
from tests.polls.conftest import choice_ids, counts, vote_url

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, poll) -> str:
    response = client.get(poll.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# --- the poll page ------------------------------------------------------------------------


def test_poll_page_has_the_question_as_h1_and_a_labelled_vote_form(client, poll):
    html = page(client, poll)
    assert html.count("<h1") == 1
    assert f'<h1 id="poll-question">{poll.question}</h1>' in html
    assert f'<legend class="h5">{poll.question}</legend>' in html
    for choice in poll.choices.all():
        assert f'type="radio" name="choice" id="choice-{choice.pk}"' in html
        assert (
            f'<label class="form-check-label" for="choice-{choice.pk}">{choice.text}</label>'
            in html
        )
    assert '<button type="submit" class="btn btn-primary">Vote</button>' in html


def test_multiple_choice_poll_uses_checkboxes(client):
    poll = make_poll(multiple=True, max_choices=2)
    html = page(client, poll)
    assert html.count('type="checkbox" name="choice"') == 3
    assert "Choose up to 2." in html


def test_intro_is_rendered_as_safe_markdown(client):
    poll = make_poll(intro="Some *emphasis* and <b onclick=x>bold</b>")
    html = page(client, poll)
    assert "<em>emphasis</em>" in html
    assert "<b onclick" not in html


def test_scheduled_poll_says_when_it_opens_and_shows_no_form(client):
    poll = make_poll(opens_at=timezone.now() + HOUR)
    html = page(client, poll)
    assert "This poll opens on" in html
    assert ">Vote</button>" not in html


def test_closed_poll_says_so_and_shows_no_form(client):
    poll = make_poll(closes_at=timezone.now() - HOUR)
    html = page(client, poll)
    assert "This poll is closed" in html
    assert ">Vote</button>" not in html


def test_draft_is_hidden_from_readers(client):
    poll = make_poll(status=Poll.Status.DRAFT)
    assert client.get(poll.get_absolute_url()).status_code == 404


def test_signed_in_only_poll_asks_anonymous_readers_to_log_in(client):
    poll = make_poll(who_can_vote=Poll.Voters.USERS)
    html = page(client, poll)
    assert "Log in to vote" in html
    assert ">Vote</button>" not in html


def test_results_show_count_percentage_and_total(client, poll):
    make_ballots(poll, 3, choice=poll.choices.first())
    make_ballots(poll, 1, choice=poll.choices.last())
    html = page(client, poll)
    assert "3 votes · 75%" in html
    assert "1 vote · 25%" in html
    assert "0 votes · 0%" in html
    assert '<p class="result-total fw-semibold mb-0">4 votes</p>' in html
    assert 'aria-hidden="true"><span style="width: 75.0%">' in html


def test_total_of_one_reads_1_vote(client, poll):
    make_ballots(poll, 1)
    assert '<p class="result-total fw-semibold mb-0">1 vote</p>' in page(client, poll)


def test_after_vote_results_are_hidden_until_the_reader_votes(poll):
    Poll.objects.filter(pk=poll.pk).update(results_visibility=Poll.ResultsVisibility.AFTER_VOTE)
    reader = voter_client()
    assert 'id="poll-results"' not in page(reader, poll)
    assert "Results appear once you have voted." in page(reader, poll)
    reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    assert 'id="poll-results"' in page(reader, poll)


def test_trainer_only_results_are_shown_to_the_trainer_not_readers(client, trainer):
    poll = make_poll(author=trainer, results_visibility=Poll.ResultsVisibility.AUTHOR)
    assert 'id="poll-results"' not in page(client, poll)
    client.force_login(trainer)
    html = page(client, poll)
    assert 'id="poll-results"' in html
    assert "Download results (CSV)" in html


def test_home_lists_published_polls_newest_first_with_totals(client):
    old = make_poll(question="Old one?", published_at=timezone.now() - HOUR)
    new = make_poll(question="New one?")
    make_poll(question="Hidden draft?", status=Poll.Status.DRAFT)
    make_ballots(new, 2)
    html = client.get("/").content.decode()
    assert html.index("New one?") < html.index("Old one?")
    assert "Hidden draft?" not in html
    assert "2 votes" in html
    assert old.get_absolute_url() in html


def test_home_is_paginated(client, settings):
    settings.POLLS_PER_PAGE = 2
    for n in range(3):
        make_poll(question=f"Poll {n}?")
    assert "Page 1 of 2" in client.get("/").content.decode()
    assert client.get("/?page=2").status_code == 200


# --- voting over HTTP ---------------------------------------------------------------------


def test_vote_redirects_back_with_thanks_and_results(poll):
    reader = voter_client()
    response = reader.post(vote_url(poll), {"choice": choice_ids(poll)[1]}, follow=True)
    assert response.redirect_chain == [(poll.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "Thanks for voting!" in html
    assert "You voted for <strong>Social media in a course</strong>" in html
    assert counts(poll) == (1, 1, [0, 1, 0])


def test_first_vote_gives_a_long_lived_httponly_lax_voter_cookie(client, poll):
    response = client.post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    cookie = response.cookies[settings.POLLS_VOTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600


def test_the_same_browser_cannot_vote_twice(client, poll):
    first, second, _ = choice_ids(poll)
    client.post(vote_url(poll), {"choice": first})
    response = client.post(vote_url(poll), {"choice": second})
    assert response.status_code == 409
    assert "You have already voted in this poll." in response.content.decode()
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_a_forged_voter_cookie_counts_as_a_new_browser(poll):
    reader = Client()
    reader.cookies[settings.POLLS_VOTER_COOKIE] = "anon-id:forged-signature"
    assert reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]}).status_code == 302
    assert Ballot.objects.get().voter_key != "anon:anon-id"


def test_signed_in_user_votes_once_whatever_browser(poll):
    user = make_user()
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(user)
    assert browsers[0].post(vote_url(poll), {"choice": choice_ids(poll)[0]}).status_code == 302
    assert browsers[1].post(vote_url(poll), {"choice": choice_ids(poll)[1]}).status_code == 409
    assert Ballot.objects.get().user == user


def _other_poll_choice(poll):
    return choice_ids(make_poll())[0]


# Opening and closing times are given from now as timedeltas, and made into times when the
# test runs: a time taken here, at collection, could have passed before the test's turn.
REJECTIONS = {
    "two choices on a single-choice poll": ({}, lambda p: choice_ids(p)[:2], 400),
    "more than the maximum": (
        {"multiple": True, "max_choices": 2},
        lambda p: choice_ids(p),
        400,
    ),
    "a choice of another poll": ({}, _other_poll_choice, 400),
    "a non-numeric choice": ({}, lambda p: ["abc"], 400),
    "an unknown choice": ({}, lambda p: [max(choice_ids(p)) + 999], 400),
    "no choice at all": ({}, lambda p: [], 400),
    "before opening": ({"opens_at": HOUR}, lambda p: choice_ids(p)[:1], 403),
    "after closing": ({"closes_at": -HOUR}, lambda p: choice_ids(p)[:1], 403),
    "on a draft": ({"status": Poll.Status.DRAFT}, lambda p: choice_ids(p)[:1], 404),
    "anonymous on a signed-in-only poll": (
        {"who_can_vote": Poll.Voters.USERS},
        lambda p: choice_ids(p)[:1],
        403,
    ),
}


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_invalid_vote_gets_a_4xx_and_writes_nothing(case):
    overrides, choices_for, status = REJECTIONS[case]
    now = timezone.now()
    poll = make_poll(
        **{k: now + v if isinstance(v, timedelta) else v for k, v in overrides.items()}
    )
    response = voter_client().post(vote_url(poll), {"choice": choices_for(poll)})
    assert response.status_code == status
    assert not Ballot.objects.exists()
    assert counts(poll)[1:] == (0, [0] * poll.choices.count())


def test_invalid_vote_shows_the_form_again_with_a_clear_message(poll):
    response = voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[:2]})
    html = response.content.decode()
    assert '<p id="vote-error" class="alert alert-danger" role="alert" tabindex="-1">' in html
    assert "Choose only one answer." in html
    assert ">Vote</button>" in html


def test_vote_without_a_csrf_token_is_refused_and_writes_nothing(poll):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_vote_with_the_csrf_token_from_the_page_is_counted(poll):
    browser = Client(enforce_csrf_checks=True)
    browser.get(poll.get_absolute_url())
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(
        vote_url(poll), {"choice": choice_ids(poll)[0], "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert counts(poll)[0] == 1


def test_the_vote_address_opened_in_a_browser_leads_to_the_poll(client, poll):
    response = client.get(vote_url(poll))
    assert response.status_code == 302
    assert response["Location"] == poll.get_absolute_url()
    assert client.put(vote_url(poll)).status_code == 405
    assert counts(poll)[0] == 0


def test_thirty_voters_behind_one_ip_are_all_counted(poll):
    first = choice_ids(poll)[0]
    for _ in range(30):
        response = Client(REMOTE_ADDR="203.0.113.7").post(vote_url(poll), {"choice": first})
        assert response.status_code == 302
    assert counts(poll) == (30, 30, [30, 0, 0])


def test_vote_flood_from_one_ip_gets_the_429_page_with_retry_after(poll, settings):
    settings.POLLS_VOTE_RATE_LIMIT = 2
    first = choice_ids(poll)[0]
    statuses = [Client().post(vote_url(poll), {"choice": first}).status_code for _ in range(2)]
    response = Client().post(vote_url(poll), {"choice": first})
    assert statuses == [302, 302]
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= settings.POLLS_VOTE_RATE_WINDOW
    assert "Slow down a little" in response.content.decode()
    assert counts(poll)[0] == 2


# --- htmx ---------------------------------------------------------------------------------


def test_htmx_vote_returns_the_vote_block_with_thanks_and_results(poll):
    reader = voter_client()
    response = reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'role="status"' in html and "Thanks for voting!" in html
    assert 'id="poll-results"' in html
    assert '<p class="result-total fw-semibold mb-0">1 vote</p>' in html
    assert "You voted for <strong>Learning with others</strong>" in html
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_htmx_vote_leaves_no_message_for_the_next_page(poll):
    reader = voter_client()
    reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]}, **HTMX)
    assert "Thanks for voting!" not in page(reader, poll)


def test_htmx_vote_sets_the_voter_cookie(client, poll):
    response = client.post(vote_url(poll), {"choice": choice_ids(poll)[0]}, **HTMX)
    assert settings.POLLS_VOTER_COOKIE in response.cookies


def test_htmx_refused_vote_answers_4xx_with_the_block_marked_for_swapping(poll):
    reader = voter_client()
    reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    response = reader.post(vote_url(poll), {"choice": choice_ids(poll)[1]}, **HTMX)
    assert response.status_code == 409
    assert response["HX-Reswap"] == "innerHTML"
    html = response.content.decode()
    assert "<html" not in html
    assert 'role="alert"' in html and "already voted" in html
    # An earlier "Thanks for voting!" by the vote no longer holds: it is cleared.
    assert '<div data-hx-swap-oob="innerHTML:#vote-status"></div>' in html


def test_htmx_vote_over_the_rate_limit_answers_429_in_place(poll, settings):
    settings.POLLS_VOTE_RATE_LIMIT = 0
    response = voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[0]}, **HTMX)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert response["HX-Reswap"] == "innerHTML"
    assert "Too many votes from your network" in response.content.decode()


def test_open_poll_results_refresh_every_few_seconds(client, poll):
    html = page(client, poll)
    assert f'data-hx-get="/polls/{poll.slug}/results/"' in html
    assert f'hx-trigger="every {settings.POLLS_RESULTS_REFRESH_SECONDS}s"' in html
    assert settings.POLLS_RESULTS_REFRESH_SECONDS <= 4  # a new vote shows within 5 s


def test_closed_poll_results_do_not_refresh(client):
    poll = make_poll(closes_at=timezone.now() - HOUR)
    html = page(client, poll)
    assert 'id="poll-results"' in html
    assert f"every {settings.POLLS_RESULTS_REFRESH_SECONDS}s" not in html


def test_results_fragment_is_the_results_block_alone(client, poll):
    response = client.get(f"/polls/{poll.slug}/results/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="poll-results"')
    assert f"every {settings.POLLS_RESULTS_REFRESH_SECONDS}s" in html


def test_results_fragment_is_404_while_results_are_hidden(client):
    poll = make_poll(results_visibility=Poll.ResultsVisibility.AFTER_CLOSE)
    assert client.get(f"/polls/{poll.slug}/results/").status_code == 404


def test_results_fragment_stops_htmx_polling_once_hidden(client):
    poll = make_poll(results_visibility=Poll.ResultsVisibility.AUTHOR)
    response = client.get(f"/polls/{poll.slug}/results/", **HTMX)
    assert response.status_code == 286  # htmx: stop polling


# --- cache and query counts ---------------------------------------------------------------


def test_results_fragment_is_served_from_the_cache(client, poll, django_assert_num_queries):
    url = f"/polls/{poll.slug}/results/"
    client.get(url)
    with django_assert_num_queries(0):
        poll_results(poll)  # cached by the first request
    with django_assert_num_queries(0):  # the poll and the counts come from the cache
        assert client.get(url).status_code == 200


def test_a_vote_invalidates_the_cached_results(client, poll):
    url = f"/polls/{poll.slug}/results/"
    assert "0 votes</p>" in client.get(url).content.decode()
    voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    assert "1 vote</p>" in client.get(url).content.decode()


def test_changing_a_vote_invalidates_the_cached_results(client):
    poll = make_poll(allow_vote_change=True)
    first, second, _ = choice_ids(poll)
    reader = voter_client()
    reader.post(vote_url(poll), {"choice": first})
    assert "1 vote · 100%" in page(client, poll).split("Social media")[0]
    reader.post(vote_url(poll), {"choice": second})
    html = page(client, poll)
    assert "0 votes · 0%" in html.split("Social media")[0]


def _page_queries(reader, poll) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    pagecache.clear_local()  # the page as rendered, not as stored
    with CaptureQueriesContext(connection) as captured:
        assert reader.get(poll.get_absolute_url()).status_code == 200
    return [query["sql"] for query in captured]


def _polls_part(queries: list[str]) -> list[str]:
    """The page's queries without the comment thread's (the comments app has its own budget)."""
    return [sql for sql in queries if '"comments_' not in sql]


@pytest.mark.parametrize("returning_browser", [False, True], ids=["new-browser", "with-cookie"])
def test_poll_page_costs_the_same_queries_with_10_and_10000_ballots(
    returning_browser, django_assert_num_queries
):
    small, big = make_poll(), make_poll()
    make_ballots(small, 10)
    make_ballots(big, 10_000)
    reader = voter_client() if returning_browser else Client()
    reader.get(small.get_absolute_url())  # warm-up: per-process lookups
    expected = len(_page_queries(reader, small))
    cache.clear()
    pagecache.clear_local()
    with django_assert_num_queries(expected):
        assert reader.get(big.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("returning_browser", [False, True], ids=["new-browser", "with-cookie"])
def test_anonymous_poll_page_spends_at_most_five_queries_on_the_poll(returning_browser):
    # Rendered (nothing cached): the poll's id for the page cache (polls/pagecache.py reads
    # the poll's version before the page's data), the poll with its author, its choices,
    # the counts and, for a browser with a voter cookie, which choices it voted for: 5 at
    # most, the budget the polls part has (of 8).
    poll = make_poll()
    make_ballots(poll, 10_000)
    reader = voter_client() if returning_browser else Client()
    polls_queries = _polls_part(_page_queries(reader, poll))
    assert len(polls_queries) == (5 if returning_browser else 4), polls_queries


def test_home_is_served_from_cached_cards_and_follows_votes_and_closes(
    client, django_assert_num_queries
):
    polls = [make_poll(question=f"Define thing {n}?") for n in range(3)]
    client.get("/")
    with django_assert_num_queries(2):  # how many polls, and which: the cards are cached
        html = client.get("/").content.decode()
    assert html.count("0 votes") == 3
    voter_client().post(vote_url(polls[1]), {"choice": choice_ids(polls[1])[0]})
    from polls import lifecycle

    lifecycle.poll_close(poll=polls[2])
    html = client.get("/").content.decode()
    assert html.count("0 votes") == 2 and "1 vote" in html
    assert html.count("Closed</span>") == 1


def test_opening_the_vote_address_leads_to_the_poll(client, poll):
    """A reader who reloads or shares /vote/ after an empty vote gets the poll, not a 405."""
    response = client.get(f"/polls/{poll.slug}/vote/")
    assert response.status_code == 302
    assert response.headers["Location"] == poll.get_absolute_url()
