"""The comment form's "served at" token: when the form was shown, to whom, used once."""

import re

from django.core import signing
from django.test import Client

from comments.models import Comment
from tests.comments.helpers import form_data, post_url, served_token
from tests.factories import voter_client


def _served(html: str) -> float:
    token = re.search(r'name="served" value="([^"]+)"', html).group(1)
    return signing.loads(token, salt="comments.form-served-at")["t"]


def test_each_reader_gets_the_time_their_form_was_served(client, poll, monkeypatch):
    monkeypatch.setattr("comments.forms.time.time", lambda: 1_000_000.0)
    first = client.get(poll.get_absolute_url()).content.decode()
    monkeypatch.setattr("comments.forms.time.time", lambda: 2_000_000.0)
    second = Client().get(poll.get_absolute_url()).content.decode()
    assert (_served(first), _served(second)) == (1_000_000.0, 2_000_000.0)


def test_a_form_posted_twice_makes_one_comment_and_the_retry_lands_on_it(client, poll):
    data = form_data(client, body="Sent twice by a flaky network.")
    first = client.post(post_url(poll), data)
    again = client.post(post_url(poll), data)
    assert first.status_code == again.status_code == 302
    assert Comment.objects.filter(body="Sent twice by a flaky network.").count() == 1
    assert again["Location"] == first["Location"]


def test_a_token_from_another_browser_is_refused_and_the_text_kept(client, poll):
    someone_else = voter_client("someone-else")
    data = form_data(client, served=served_token(someone_else), body="Borrowed token")
    response = client.post(post_url(poll), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form has expired" in html and "Borrowed token" in html
    assert not Comment.objects.exists()


def test_a_used_token_makes_no_second_comment_and_the_text_is_kept(client, poll):
    data = form_data(client, body="My first comment.")
    assert client.post(post_url(poll), data).status_code == 302
    # The same form again with other words (a bot keeping one token, or a person going
    # back to the old form): no second comment from it, the words are kept, a fresh form.
    response = client.post(post_url(poll), {**data, "body": "Another one."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form was used for a comment already" in html and "Another one." in html
    assert re.search(r'name="served" value="([^"]+)"', html).group(1) != data["served"]
    assert list(Comment.objects.values_list("body", flat=True)) == ["My first comment."]


def test_a_browser_that_drops_cookies_is_told_so(poll):
    browser = Client()
    page = browser.get(poll.get_absolute_url()).content.decode()
    token = re.search(r'name="served" value="([^"]+)"', page).group(1)
    browser.cookies.clear()  # cookies blocked: the voter cookie never comes back
    data = {
        "name": "Ada",
        "email": "ada@example.com",
        "body": "Without cookies.",
        "served": token,
        "homepage": "",
    }
    response = browser.post(post_url(poll), data)
    assert response.status_code == 400
    assert "allow cookies for this site" in response.content.decode()


def _reply_form(client, comment, **params) -> str:
    return client.get(
        f"/comments/{comment.pk}/reply/", params, HTTP_HX_REQUEST="true"
    ).content.decode()


def test_a_reply_form_opened_later_counts_from_when_the_page_was_shown(client, poll):
    from tests.comments.helpers import add

    comment = add(poll)
    page_token = served_token(client, seconds_ago=90)
    served = _served(_reply_form(client, comment, served=page_token))
    assert served == signing.loads(page_token, salt="comments.form-served-at")["t"]


def test_a_reply_form_ignores_another_browsers_or_an_expired_page_token(client, poll, settings):
    import time

    from tests.comments.helpers import add

    comment = add(poll)
    before = time.time()
    for token in (
        served_token(voter_client("someone-else"), seconds_ago=90),
        served_token(client, seconds_ago=settings.COMMENTS_FORM_MAX_AGE + 60),
        "not-a-token",
    ):
        assert _served(_reply_form(client, comment, served=token)) >= before - 1
