"""Sharing a poll: the link to copy, the join code, the QR code and link-preview tags, on a
freshly rendered page and on the page as the cache serves it."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from polls.models import Poll
from tests.factories import make_poll
from tests.polls.qrdecode import decode_bitmap, svg_bitmap

pytestmark = pytest.mark.django_db

SITE = "https://polls.example.org"


def meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def anonymous_loads(poll: Poll, times: int = 2) -> list[tuple[str, int]]:
    """(page, queries) for each of several first-time anonymous readers."""
    pages = []
    for _ in range(times):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(poll.get_absolute_url())
        assert response.status_code == 200
        pages.append((response.content.decode(), len(queries)))
    return pages


@pytest.fixture
def poll():
    return make_poll(
        question='What is "blended" learning?',
        intro="Some **say** it's <b>online</b> & offline.\n\n- one\n- two",
        join_code="K7MXQ4",
    )


@override_settings(SITE_URL=SITE)
def test_the_page_offers_the_link_the_code_and_the_qr_code_also_when_cached(poll):
    (fresh, _), (cached, cached_queries) = anonymous_loads(poll)
    assert cached_queries == 0  # the second reader's page came from the page cache
    for html in (fresh, cached):
        field = re.search(r'<input id="poll-share-link"[^>]*>', html).group(0)
        assert f'value="{SITE}/polls/{poll.slug}/"' in field
        assert "readonly" in field
        assert '<label for="poll-share-link"' in html
        assert ">K7MXQ4</strong>" in html
        assert f'href="/polls/{poll.slug}/qr.svg" download' in html
        assert f'href="/polls/{poll.slug}/qr.png" download' in html
        svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
        assert 'aria-label="QR code for https://polls.example.org/j/K7MXQ4"' in svg
        assert decode_bitmap(svg_bitmap(svg)) == [f"{SITE}/j/K7MXQ4"]


@override_settings(SITE_URL=SITE)
def test_link_previews_get_the_question_the_intro_as_text_and_the_absolute_address(poll):
    for html, _ in anonymous_loads(poll):
        assert meta(html, "og:title") == 'What is "blended" learning?'
        assert meta(html, "og:description") == "Some say it's <b>online</b> & offline. one two"
        assert meta(html, "og:url") == f"{SITE}/polls/{poll.slug}/"
        assert meta(html, "twitter:card") == "summary"
        assert "&amp;amp;" not in html and "&lt;p&gt;" not in html


def test_a_long_intro_is_cut_for_the_preview():
    poll = make_poll(intro="word " * 200)
    html = Client().get(poll.get_absolute_url()).content.decode()
    description = meta(html, "og:description")
    assert len(description) <= 200
    assert description.endswith("…")


def test_a_poll_without_intro_has_no_empty_description():
    poll = make_poll(intro="")
    html = Client().get(poll.get_absolute_url()).content.decode()
    assert meta(html, "og:title") == poll.question
    assert meta(html, "og:description") is None


def test_other_pages_have_no_poll_preview_tags(poll):
    assert meta(Client().get("/").content.decode(), "og:title") is None
