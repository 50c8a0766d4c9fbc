"""Unsubscribing from reply emails (issue 12.10).

Mail scanners and link previewers open every link in a message: opening the link must
change nothing. A person confirms with a button (a POST); a mail client's one-click
unsubscribe (RFC 8058) POSTs to the same address without cookies. Links do not expire
(docs/decisions.md says why).
"""

import re
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from comments.notifications import unsubscribe_token
from tests.comments.helpers import add

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(poll) -> list[Comment]:
    """Bea's two comments, both asking for reply emails."""
    return [
        add(poll, name="Bea", email="bea@example.com", notify=True, body="One"),
        add(poll, name="Bea", email="Bea@Example.com", notify=True, body="Two"),
    ]


def link_for(comment: Comment) -> str:
    return reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(comment)})


def notify_flags(comments: list[Comment]) -> list[bool]:
    return [Comment.objects.get(pk=c.pk).notify for c in comments]


@pytest.mark.parametrize("method", ["get", "head"])
def test_opening_the_link_changes_nothing(subscribed, method):
    scanner = Client()
    response = getattr(scanner, method)(link_for(subscribed[0]))
    assert response.status_code == 200
    assert notify_flags(subscribed) == [True, True]


def test_the_link_asks_with_a_button_that_unsubscribes(poll, subscribed):
    person = Client()
    page = person.get(link_for(subscribed[0])).content.decode()
    assert "<h1>Stop reply emails?</h1>" in page
    form = re.search(r'<form method="post"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None and "action=" not in form.group(0)  # posts to the same address
    assert '<button type="submit" class="btn btn-primary">Unsubscribe</button>' in form.group(1)
    response = person.post(link_for(subscribed[0]))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert notify_flags(subscribed) == [False, False]  # every comment from that address


def test_a_mail_clients_one_click_post_unsubscribes(subscribed):
    mail_client = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token
    response = mail_client.post(
        link_for(subscribed[0]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert notify_flags(subscribed) == [False, False]


def test_a_link_from_an_old_email_still_works(subscribed):
    three_years_ago = time.time() - 3 * 365 * 24 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=three_years_ago):
        old_link = link_for(subscribed[0])
    assert Client().post(old_link).status_code == 200
    assert notify_flags(subscribed) == [False, False]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_link_is_not_found_and_changes_nothing(subscribed, method):
    forged = link_for(subscribed[0])[:-3] + "xx/"
    assert getattr(Client(), method)(forged).status_code == 404
    assert notify_flags(subscribed) == [True, True]
