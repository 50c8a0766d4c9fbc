"""Input sized to hit an interpreter limit gets the page with a message, never a 500."""

import pytest
from django.test import Client

from polls.models import Ballot
from tests.factories import make_poll, voter_client

pytestmark = pytest.mark.django_db


def test_a_vote_whose_choice_has_5000_digits_gets_the_page_with_a_message():
    # int() refuses more than 4,300 digits (Python's limit on str -> int conversion).
    poll = make_poll()
    browser = voter_client(raise_request_exception=False)
    response = browser.post(f"/polls/{poll.slug}/vote/", {"choice": "7" * 5000})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<h1 id="poll-question">{poll.question}</h1>' in html  # the poll page
    assert "That is not one of this poll&#x27;s choices." in html
    assert ">Vote</button>" in html
    assert not Ballot.objects.exists()


def test_the_same_with_htmx_answers_the_vote_block_with_the_message():
    poll = make_poll()
    browser = Client(raise_request_exception=False)
    response = browser.post(
        f"/polls/{poll.slug}/vote/", {"choice": ["1" * 5000, "2"]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "That is not one of this poll&#x27;s choices." in response.content.decode()
    assert not Ballot.objects.exists()
