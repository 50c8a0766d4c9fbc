"""The embeddable poll (/polls/<slug>/embed/): what it shows, who may frame it, and how a
vote is cast from a frame with and without the voter's cookies."""

import re

import pytest
from django.test import Client

from polls.checks import check_embed_origins
from polls.models import Ballot, Poll
from tests.factories import PASSWORD, make_poll

pytestmark = pytest.mark.django_db

BLOG = "https://blog.example.org"
CROSS_SITE = {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_SEC_FETCH_DEST": "iframe"}


@pytest.fixture(autouse=True)
def embed_origins(settings):
    settings.SOCIALPOLL_EMBED_ORIGINS = [BLOG, "https://*.example.net"]


@pytest.fixture
def poll():
    return make_poll(question="What is <social> learning?", choices=("Together", "Alone"))


def embed_url(poll: Poll) -> str:
    return f"/polls/{poll.slug}/embed/"


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]*)", response["Content-Security-Policy"]).group(1)


def test_the_embed_is_the_vote_form_and_results_without_the_site_around_them(poll):
    response = Client().get(embed_url(poll))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "<legend" in html and "What is &lt;social&gt; learning?" in html
    assert f'action="/polls/{poll.slug}/embed/vote/"' in html
    assert 'id="poll-results"' in html  # results always visible for this poll
    assert "<nav" not in html and "<footer" not in html and "Log in</a>" not in html
    assert "comment-form" not in html


def test_only_the_embed_origins_may_frame_the_embed(poll):
    response = Client().get(embed_url(poll))
    assert frame_ancestors(response) == f"{BLOG} https://*.example.net"
    assert "X-Frame-Options" not in response


def test_every_other_page_stays_unframable(poll):
    client = Client()
    for url in ("/", poll.get_absolute_url(), f"/polls/{poll.slug}/qr.svg", "/no-such-page/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert frame_ancestors(response) == "'none'", url


def test_with_no_embed_origins_no_one_may_frame_the_embed(settings, poll):
    settings.SOCIALPOLL_EMBED_ORIGINS = []
    assert frame_ancestors(Client().get(embed_url(poll))) == "'none'"


def test_something_that_is_not_an_origin_is_left_out_and_warned_about(settings, poll):
    settings.SOCIALPOLL_EMBED_ORIGINS = [BLOG, "https://evil.example; script-src *", "x"]
    assert frame_ancestors(Client().get(embed_url(poll))) == BLOG
    warnings = check_embed_origins(None)
    assert [w.id for w in warnings] == ["polls.W001", "polls.W001"]


def test_a_vote_in_a_same_site_frame_is_cast_there(poll):
    client = Client(enforce_csrf_checks=True)
    page = client.get(embed_url(poll)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    choice = poll.choices.get(text="Alone")
    response = client.post(
        f"/polls/{poll.slug}/embed/vote/", {"choice": choice.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"] == embed_url(poll)
    assert frame_ancestors(response) == f"{BLOG} https://*.example.net"
    assert Ballot.objects.get(poll=poll).choice_ids == {choice.pk}
    after = client.get(embed_url(poll)).content.decode()
    assert "You voted for <strong>Alone</strong>" in after
    assert "Thanks for voting!" in after


def test_a_vote_that_arrives_without_the_frames_cookies_offers_a_new_tab(poll):
    choice = poll.choices.get(text="Alone")
    response = Client(enforce_csrf_checks=True).post(
        f"/polls/{poll.slug}/embed/vote/", {"choice": choice.pk, "csrfmiddlewaretoken": "x" * 64}
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "X-Frame-Options" not in response  # the answer shows in the frame, not an error
    assert "could not be counted here" in html
    assert 'target="_blank"' in html and "Vote in a new tab" in html
    assert re.search(rf'value="{choice.pk}" checked', html)  # the choice is kept
    assert not Ballot.objects.exists()


def test_framed_by_another_site_the_choice_goes_to_a_new_tab(poll):
    html = Client().get(embed_url(poll), **CROSS_SITE).content.decode()
    form = re.search(r"<form [^>]*>", html).group(0)
    assert 'method="get"' in form
    assert f'action="{poll.get_absolute_url()}"' in form
    assert 'target="_blank"' in form
    assert "Vote in a new tab" in html
    assert "csrfmiddlewaretoken" not in html


def test_the_poll_page_ticks_the_choice_the_new_tab_brings(poll):
    choice = poll.choices.get(text="Alone")
    html = Client().get(f"{poll.get_absolute_url()}?choice={choice.pk}").content.decode()
    assert re.search(rf'value="{choice.pk}" checked', html)
    other = poll.choices.get(text="Together")
    assert not re.search(rf'value="{other.pk}" checked', html)


def test_a_drafts_embed_is_404(poll):
    draft = make_poll(status=Poll.Status.DRAFT, published_at=None)
    assert Client().get(embed_url(draft)).status_code == 404


def test_the_trainer_sees_an_iframe_snippet_to_copy(trainer):
    poll = make_poll(author=trainer, question='Is "this" <it>?')
    client = Client()
    client.login(username=trainer.username, password=PASSWORD)
    html = client.get(poll.get_absolute_url()).content.decode()
    snippet = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', html, re.S)
    assert snippet is not None
    text = snippet.group(1)  # the snippet, escaped once for the textarea
    assert text.startswith("&lt;iframe src=&quot;http")
    assert f"/polls/{poll.slug}/embed/&quot;" in text
    assert "title=&quot;Poll: Is &amp;quot;this&amp;quot; &amp;lt;it&amp;gt;?&quot;" in text
    assert BLOG in html
    assert "embed-snippet" not in Client().get(poll.get_absolute_url()).content.decode()


def test_a_refused_vote_in_the_frame_is_answered_in_the_frame(poll):
    response = Client().post(f"/polls/{poll.slug}/embed/vote/", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "X-Frame-Options" not in response
    assert 'role="alert"' in html and "<nav" not in html


def test_too_many_votes_from_one_network_are_slowed_in_the_frame_too(settings, poll):
    settings.POLLS_VOTE_RATE_LIMIT = 1
    client = Client()
    choice = poll.choices.first().pk
    client.post(f"/polls/{poll.slug}/embed/vote/", {"choice": choice})
    response = client.post(f"/polls/{poll.slug}/embed/vote/", {"choice": choice})
    assert response.status_code == 429
    assert "Too many votes from your network" in response.content.decode()
