"""Rate limits slow a flood from one address with a readable 429 and a Retry-After header."""

import pytest
from django.test import override_settings

from polls.models import Ballot
from tests.factories import make_poll

pytestmark = pytest.mark.django_db


@override_settings(POLLS_VOTE_RATE_LIMIT=3)
def test_vote_flood_from_one_address_gets_429_with_retry_after(client):
    poll = make_poll()
    choice = poll.choices.first()
    statuses = []
    for _ in range(5):
        client.cookies.clear()  # each request a new anonymous browser, same IP
        statuses.append(client.post(f"/polls/{poll.slug}/vote/", {"choice": choice.pk}).status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert Ballot.objects.filter(poll=poll).count() == 3


@override_settings(POLLS_VOTE_RATE_LIMIT=1)
def test_429_page_is_readable_and_says_when_to_retry(client):
    poll = make_poll()
    choice = poll.choices.first()
    client.post(f"/polls/{poll.slug}/vote/", {"choice": choice.pk})
    response = client.post(f"/polls/{poll.slug}/vote/", {"choice": choice.pk})
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    page = response.content.decode()
    assert "<h1>Slow down a little</h1>" in page
    assert f"try again in {retry_after} seconds" in page
    assert "Content-Security-Policy" in response.headers


@override_settings(POLLS_VOTE_RATE_LIMIT=1)
def test_limit_is_per_address_so_another_address_still_votes(client):
    poll = make_poll()
    choice = poll.choices.first()
    url = f"/polls/{poll.slug}/vote/"
    client.post(url, {"choice": choice.pk}, REMOTE_ADDR="10.0.0.1")
    client.cookies.clear()
    assert client.post(url, {"choice": choice.pk}, REMOTE_ADDR="10.0.0.1").status_code == 429
    client.cookies.clear()
    assert client.post(url, {"choice": choice.pk}, REMOTE_ADDR="10.0.0.2").status_code == 302


@override_settings(COMMENTS_RATE_LIMIT=2, COMMENTS_HOLD_FIRST_TIME_ANONYMOUS=False)
def test_comment_flood_gets_429_with_retry_after_and_keeps_only_allowed_comments(client):
    from comments.models import Comment
    from tests.comments.helpers import served_token

    poll = make_poll()
    statuses = []
    for number in range(4):
        response = client.post(
            f"/polls/{poll.slug}/comments/",
            {
                "name": "Bot",
                "email": "bot@example.com",
                "body": f"Comment number {number}",
                "served": served_token(client),
            },
        )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429, 429]
    assert 0 < int(response.headers["Retry-After"]) <= 600
    html = response.content.decode()
    assert "Too many comments came from your network just now" in html
    assert "Comment number 3" in html  # the text is kept, to send again
    assert Comment.objects.count() == 2
