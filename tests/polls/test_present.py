"""The presenter view: who may open it, what it shows, its live block."""

import pytest
from django.test import Client

from polls import lifecycle
from tests.factories import make_poll, make_user, voter_client
from tests.polls.conftest import choice_ids, vote_url

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def room_poll(trainer):
    return make_poll(author=trainer, choices=("Alpha", "Beta"))


def present_url(poll) -> str:
    return f"/polls/{poll.slug}/present/"


def test_the_trainer_gets_question_qr_join_address_and_total(room_poll, trainer):
    voter_client().post(vote_url(room_poll), {"choice": choice_ids(room_poll)[0]})
    html = logged_in(trainer).get(present_url(room_poll)).content.decode()
    assert html.count("<h1") == 1
    assert f'<h1 id="present-question" class="present-question">{room_poll.question}</h1>' in html
    assert 'role="img" aria-label="QR code for http' in html
    assert f"/j/{room_poll.join_code}" in html
    assert f'<strong class="join-code">{room_poll.join_code}</strong>' in html
    assert '<span class="present-total-number">1</span> vote' in html
    assert "Alpha" in html and "1 vote · 100%" in html  # shown: the bars


def test_hidden_results_show_the_total_but_no_bars(room_poll, trainer):
    lifecycle.poll_reveal(poll=room_poll, show=False)
    voter_client().post(vote_url(room_poll), {"choice": choice_ids(room_poll)[0]})
    html = logged_in(trainer).get(present_url(room_poll)).content.decode()
    assert '<span class="present-total-number">1</span> vote' in html
    assert "100%" not in html and "Show results</button>" in html


def test_staff_may_present_others_get_403_and_anonymous_the_login_page(room_poll, other_trainer):
    assert logged_in(make_user(is_staff=True)).get(present_url(room_poll)).status_code == 200
    assert logged_in(other_trainer).get(present_url(room_poll)).status_code == 403
    assert logged_in(make_user()).get(present_url(room_poll)).status_code == 403
    response = Client().get(present_url(room_poll))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    live = f"/polls/{room_poll.slug}/present/live/"
    assert logged_in(other_trainer).get(live).status_code == 403


def test_the_presenter_s_live_block_is_304_while_nothing_changed(room_poll, trainer):
    client = logged_in(trainer)
    url = f"/polls/{room_poll.slug}/present/live/"
    etag = client.get(url, **HTMX)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, **HTMX).status_code == 304
    voter_client().post(vote_url(room_poll), {"choice": choice_ids(room_poll)[1]})
    response = client.get(url, HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert response.status_code == 200
    assert '<span class="present-total-number">1</span> vote' in response.content.decode()


def test_reveal_by_htmx_answers_the_live_block_and_the_new_button(room_poll, trainer):
    response = logged_in(trainer).post(f"/polls/{room_poll.slug}/reveal/", {"show": "0"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="present-live"' in html and "Results are hidden from the room" in html
    assert 'data-hx-swap-oob="true"' in html and "Show results</button>" in html


def test_the_poll_page_links_the_presenter_view_for_its_trainer_only(room_poll, trainer):
    assert (
        present_url(room_poll)
        in logged_in(trainer).get(room_poll.get_absolute_url()).content.decode()
    )
    assert present_url(room_poll) not in Client().get(room_poll.get_absolute_url()).content.decode()


def test_a_draft_is_404_to_those_who_cannot_see_it(trainer, other_trainer):
    draft = make_poll(author=trainer, status="draft")
    assert logged_in(other_trainer).get(present_url(draft)).status_code == 404
    assert logged_in(trainer).get(present_url(draft)).status_code == 200
