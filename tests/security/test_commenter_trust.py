"""Who skips moderation (issue 12.5): trust rests on what an impostor does not have.

An account, or the browser that posted a comment a moderator approved (its signed,
HttpOnly voter cookie). Typing someone's email address earns nothing, a name that claims to
be the poll's author or a moderator is held, and the answer to a post never tells whether an
address has commented before.
"""

import re

import pytest
from django.test import Client

from comments.models import Comment
from tests.comments.helpers import add, approved_commenter, form_data, post_url
from tests.factories import voter_client, voter_key_of

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation."
POSTED = "Your comment has been posted."


@pytest.fixture
def ada(poll):
    """Ada's browser, which has had a comment approved (posted as ada@example.com)."""
    browser = voter_client()
    approved_commenter(poll, browser, email="ada@example.com")
    return browser


@pytest.fixture
def trainers_comment(poll, trainer):
    """The trainer has answered in the thread, signed in: an approved comment with their
    name and their account's email address."""
    browser = Client()
    browser.force_login(trainer)
    response = browser.post(post_url(poll), form_data(browser, body="Thanks, everyone."))
    assert response.status_code == 302
    comment = Comment.objects.get(user=trainer)
    assert (comment.status, comment.email) == (Comment.Status.APPROVED, "trainer@example.com")
    return comment


def post(browser: Client, poll, **fields):
    """Post a comment; (the newest comment, the page the browser lands on)."""
    response = browser.post(post_url(poll), form_data(browser, **fields), follow=True)
    assert response.status_code == 200
    return Comment.objects.order_by("-pk").first(), response.content.decode()


def test_typing_an_approved_commenters_email_does_not_skip_moderation(poll, ada):
    comment, page = post(voter_client(), poll, name="Ada", email="ADA@Example.com")
    assert comment.status == Comment.Status.PENDING
    assert comment.held_reasons == ["First comment from this browser"]
    assert AWAITING in page


def test_typing_the_trainers_email_and_name_does_not_publish_as_the_trainer(poll, trainers_comment):
    impostor = voter_client()
    comment, page = post(
        impostor, poll, name="Morgan Reyes", email="Trainer@Example.com", body="Voting closes."
    )
    assert comment.status == Comment.Status.PENDING
    assert "The name of the poll's author or a moderator" in comment.held_reasons
    assert AWAITING in page
    assert "Voting closes." not in Client().get(poll.get_absolute_url()).content.decode()


def _answer(browser: Client, poll, email: str) -> tuple[int, str, str]:
    response = browser.post(post_url(poll), form_data(browser, email=email, body="Same words."))
    landing = browser.get(response["Location"])
    messages = re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', landing.content.decode())
    return response.status_code, response["Location"].split("#")[0], " ".join(messages)


def test_the_answer_does_not_tell_whether_an_address_has_commented_before(poll, ada):
    known = _answer(voter_client(), poll, "ada@example.com")
    unknown = _answer(voter_client(), poll, "nobody-yet@example.com")
    assert known == unknown
    assert AWAITING in known[2]


def test_the_browser_that_was_approved_is_published_whatever_email_it_types(poll, ada):
    comment, page = post(ada, poll, name="Ada L.", email="ada.new@example.org")
    assert comment.status == Comment.Status.APPROVED
    assert POSTED in page


@pytest.mark.parametrize(
    "name",
    [
        "Morgan Reyes",
        "morgan  REYES.",
        "Morgan Reyes (author)",
        "trainer-a",
        "\uff4d\uff4f\uff52\uff47\uff41\uff4e \uff52\uff45\uff59\uff45\uff53",  # full-width,
    ],
    ids=["full-name", "spacing-case", "decorated", "username", "full-width"],
)
def test_a_returning_browser_is_held_when_it_takes_the_trainers_name(poll, ada, name):
    comment, page = post(ada, poll, name=name)
    assert comment.status == Comment.Status.PENDING
    assert comment.held_reasons == ["The name of the poll's author or a moderator"]
    assert AWAITING in page


def test_a_returning_browser_is_held_when_it_takes_a_moderators_name(poll, ada, moderator):
    moderator.first_name, moderator.last_name = "Sam", "Okafor"
    moderator.save()
    for name in ("moderator", "Sam Okafor"):
        comment, _page = post(ada, poll, name=name)
        assert comment.status == Comment.Status.PENDING, name


def test_names_that_only_share_a_first_name_are_published(poll, ada):
    comment, _page = post(ada, poll, name="Morgan")
    assert comment.status == Comment.Status.APPROVED


def test_the_trainer_signed_in_is_published_under_their_own_name(poll, trainers_comment):
    assert trainers_comment.name == "Morgan Reyes"


def test_a_moderators_approval_makes_that_browser_a_returning_commenter(poll, moderator):
    browser = voter_client()
    first, _page = post(browser, poll, name="Jo")
    assert first.status == Comment.Status.PENDING
    from comments import moderation

    moderation.comment_approve(comment=first, actor=moderator)
    second, page = post(browser, poll, name="Jo", body="And one more thing.")
    assert second.status == Comment.Status.APPROVED
    assert second.author_key == first.author_key == voter_key_of(browser)
    assert POSTED in page


def test_a_spam_or_removed_comment_earns_no_trust(poll, moderator):
    browser = voter_client()
    add(poll, body="Spam", status=Comment.Status.SPAM, author_key=voter_key_of(browser))
    add(poll, body="Gone", status=Comment.Status.REMOVED, author_key=voter_key_of(browser))
    comment, _page = post(browser, poll)
    assert comment.status == Comment.Status.PENDING
