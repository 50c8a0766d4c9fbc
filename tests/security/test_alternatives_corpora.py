"""Alternative definitions through the XSS payloads and a sample of the naughty strings:
the composer, the similar definitions it offers, the list with Agree / Disagree, the thread
label, and a promoted definition as a choice with its credit."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.html import escape

from comments.models import Comment
from comments.promotion import alternative_promote
from core.text import one_line
from tests.comments.alt_helpers import definition, definition_url, write_in_poll
from tests.comments.helpers import served_token
from tests.factories import voter_client
from tests.payloads import MARKER, XSS_PAYLOADS
from tests.security.htmlcheck import active_payload

pytestmark = pytest.mark.django_db

SAMPLE_EVERY = 10  # one naughty string in ten: ~50 posts


@pytest.fixture
def open_limits(settings):
    settings.COMMENTS_RATE_LIMIT = 100_000
    settings.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS = False
    settings.COMMENTS_MAX_LINKS = 1000
    settings.COMMENTS_MODERATION_WORDS = []
    settings.COMMENTS_DISALLOWED_WORDS = []


def test_xss_payloads_as_definitions_stay_inert_everywhere(trainer, client):
    poll = write_in_poll(trainer, allow_vote_change=True)
    alts = [
        definition(poll, body=payload[:300], name=one_line(payload)[:80] or "x")
        for payload in XSS_PAYLOADS
    ]
    promoted = 0
    for alt in alts:  # as many as the poll takes (ten choices)
        try:
            alternative_promote(comment=alt, actor=trainer)
            promoted += 1
        except ValidationError:  # duplicates and a full poll are refused, fine here
            pass
    assert promoted >= 5
    reader = voter_client("reader")
    reader.post(f"/polls/{poll.slug}/vote/", {"choice": poll.choices.get(is_write_in=True).pk})
    client.force_login(trainer)
    pages = {
        "reader": reader.get(poll.get_absolute_url()).content.decode(),
        "sorted": reader.get(f"{poll.get_absolute_url()}?alts=agreed").content.decode(),
        "trainer": client.get(poll.get_absolute_url()).content.decode(),
    }
    assert "Alternative definition" in pages["reader"]
    assert "suggested by" in pages["reader"]
    for name, html in pages.items():
        assert active_payload(html, MARKER) == [], name


def test_xss_payloads_in_the_composer_and_its_similar_offers_stay_inert(trainer, open_limits):
    poll = write_in_poll(trainer)
    for payload in XSS_PAYLOADS[::4]:
        definition(poll, body=payload[:300])
    for payload in XSS_PAYLOADS[::4]:
        client = voter_client("composer")
        data = {
            "name": one_line(payload)[:80] or "x",
            "email": "a@example.com",
            "body": payload[:300],
            "served": served_token(client),
        }
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(definition_url(poll), data, **headers)
            assert response.status_code < 500
            assert active_payload(response.content.decode(), MARKER) == [], payload


def test_naughty_strings_as_definitions(blns, trainer, open_limits):
    poll = write_in_poll(trainer)
    problems = []
    for number, text in enumerate(blns[::SAMPLE_EVERY]):
        client = voter_client(f"naughty-{number}", raise_request_exception=False)
        data = {
            "name": f"N{number}",
            "email": "n@example.com",
            "body": text,
            "served": served_token(client),
            "post_anyway": "1",
        }
        response = client.post(definition_url(poll), data)
        if response.status_code >= 500:
            problems.append((text, response.status_code))
            continue
        if response.status_code == 302:
            comment = Comment.objects.filter(poll=poll, name=f"N{number}").get()
            assert comment.is_alternative
    assert problems == []
    html = Client().get(poll.get_absolute_url()).content.decode()
    for comment in Comment.objects.filter(poll=poll, is_alternative=True).order_by("-pk")[:50]:
        assert f'id="alternative-{comment.pk}"' in html
        for word in comment.body.split()[:1]:
            if word.isalnum():
                assert escape(word) in html
