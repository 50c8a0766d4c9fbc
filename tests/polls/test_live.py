"""The live results: what 300 phones poll every 3 s costs no query while nothing changed."""

import pytest

from polls import lifecycle
from polls.models import Poll
from tests.factories import make_poll, voter_client
from tests.polls.conftest import choice_ids, vote_url

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def results_url(poll: Poll) -> str:
    return f"/polls/{poll.slug}/results/"


def test_a_phone_polling_an_unchanged_poll_costs_no_query(poll, django_assert_num_queries):
    phone = voter_client()
    phone.post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    assert phone.get(results_url(poll), **HTMX).status_code == 200  # fills the cache
    with django_assert_num_queries(0):
        for _ in range(3):
            assert phone.get(results_url(poll), **HTMX).status_code == 200


def test_after_vote_results_cost_no_query_once_the_ballot_was_seen(django_assert_num_queries):
    poll = make_poll(results_visibility=Poll.ResultsVisibility.AFTER_VOTE)
    phone = voter_client()
    phone.post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    assert "1 vote" in phone.get(results_url(poll), **HTMX).content.decode()
    with django_assert_num_queries(0):
        assert "1 vote" in phone.get(results_url(poll), **HTMX).content.decode()


def test_an_unchanged_poll_answers_304_to_the_etag_it_gave(poll, django_assert_num_queries):
    phone = voter_client()
    first = phone.get(results_url(poll), **HTMX)
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = phone.get(results_url(poll), HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert again.status_code == 304 and again.content == b""


def test_a_vote_changes_the_etag_and_the_counts(poll):
    phone = voter_client()
    etag = phone.get(results_url(poll))["ETag"]
    voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[1]})
    response = phone.get(results_url(poll), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert "1 vote · 100%" in response.content.decode()


def test_a_reveal_changes_the_etag(trainer):
    poll = make_poll(author=trainer, results_hidden=True)
    phone = voter_client()
    etag = phone.get(results_url(poll), **HTMX)["ETag"]
    lifecycle.poll_reveal(poll=poll, show=True)
    response = phone.get(results_url(poll), HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert response.status_code == 200 and "0 votes" in response.content.decode()


def test_a_forged_etag_for_another_version_gets_the_full_answer(poll):
    response = voter_client().get(results_url(poll), HTTP_IF_NONE_MATCH='W/"live-x.y-open-counts"')
    assert response.status_code == 200


def test_the_refresh_targets_only_the_results_block_not_the_form(poll):
    html = voter_client().get(poll.get_absolute_url()).content.decode()
    form_at = html.index('class="vote-form')
    results_at = html.index('<section id="poll-results"')
    assert 'data-hx-swap="outerHTML"' in html[results_at:]
    assert "data-hx-trigger" not in html[form_at:results_at]  # the form is never polled
    fragment = voter_client().get(results_url(poll), **HTMX).content.decode()
    assert "<form" not in fragment and "<input" not in fragment


def test_an_unknown_slug_is_404(db):
    assert voter_client().get("/polls/no-such-poll/results/").status_code == 404


def test_a_deleted_poll_is_404_even_with_its_slug_cached(poll, trainer):
    voter_client().get(results_url(poll))
    lifecycle.poll_delete(poll=poll)
    assert voter_client().get(results_url(poll)).status_code == 404


def test_a_slug_taken_again_after_a_delete_shows_the_new_poll(trainer):
    old = make_poll(author=trainer, slug="room", choices=("Old A", "Old B"))
    assert "Old A" in voter_client().get(results_url(old)).content.decode()
    lifecycle.poll_delete(poll=old)
    new = make_poll(author=trainer, slug="room", choices=("New A", "New B"))
    html = voter_client().get(results_url(new)).content.decode()
    assert "New A" in html and "Old A" not in html
