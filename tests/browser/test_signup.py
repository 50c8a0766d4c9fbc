"""A reader makes an account to vote in a poll open to signed-in readers only."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from polls.models import Ballot, Poll
from tests.browser.helpers import results, vote_for
from tests.factories import make_poll, make_user

pytestmark = pytest.mark.browser

PASSWORD = "a-long-walk-by-the-river"


@pytest.fixture
def accounts_only_poll():
    return make_poll(
        question="How would you define social learning?",
        choices=("Learning from other people", "Something else"),
        who_can_vote=Poll.Voters.USERS,
    )


def sign_up(page, *, username: str, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.get_by_role("button", name="Create account").click()


def link_in(message) -> str:
    """The path of the link in an email (the live server's address is not SITE_URL)."""
    url = re.search(r"https?://\S+", message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def test_reader_signs_up_confirms_the_email_logs_in_and_votes(new_context, accounts_only_poll):
    page = new_context().new_page()
    page.goto(accounts_only_poll.get_absolute_url())
    page.get_by_role("link", name="Log in to vote").click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")

    sign_up(page, username="ana", email="ana@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.com"]

    # Before confirming, the account cannot sign in, and the login page says why.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("form")).to_contain_text("confirm your email address first")

    page.goto(link_in(mail.outbox[0]))
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(accounts_only_poll.get_absolute_url())
    vote_for(page, "Learning from other people")
    expect(results(page).locator(".result-total")).to_have_text("1 vote")
    ana = get_user_model().objects.get(username="ana")
    assert Ballot.objects.get(poll=accounts_only_poll).voter_key == f"user:{ana.pk}"

    # The link works once.
    page.goto(link_in(mail.outbox[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")


def test_signing_up_with_an_address_that_has_an_account_makes_no_second_one(new_context):
    make_user("ben")  # ben@example.com
    page = new_context().new_page()
    page.goto("/accounts/signup/")

    sign_up(page, username="ben2", email="BEN@example.com")

    # The page answers as for a new address (it does not tell strangers who has an account).
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert not get_user_model().objects.filter(username="ben2").exists()
    assert "already has one: ben" in mail.outbox[0].body
    assert "/accounts/password_reset/" in mail.outbox[0].body


def test_sign_up_errors_keep_what_was_typed(new_context):
    make_user("ana")
    page = new_context().new_page()
    page.goto("/accounts/signup/")

    sign_up(page, username="ana", email="new@example.com", password="short")

    expect(page.locator("form")).to_contain_text("A user with that username already exists.")
    expect(page.locator("form")).to_contain_text("too short")
    expect(page.get_by_label("Email")).to_have_value("new@example.com")
    assert mail.outbox == []


def test_sign_ups_are_rate_limited_per_network_address(new_context, settings):
    settings.SIGNUP_ADDRESS_LIMIT = 1
    page = new_context().new_page()
    page.goto("/accounts/signup/")
    sign_up(page, username="ana", email="ana@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    page.goto("/accounts/signup/")
    sign_up(page, username="ben", email="ben@example.com")

    expect(page.get_by_role("alert")).to_contain_text("Too many accounts")
    assert not get_user_model().objects.filter(username="ben").exists()
    assert len(mail.outbox) == 1
