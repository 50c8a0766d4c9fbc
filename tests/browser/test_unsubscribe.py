"""Unsubscribing from a reply email in a real browser: the link asks, the button acts."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from comments.notifications import unsubscribe_token
from tests.comments.helpers import add
from tests.factories import make_poll

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_link_from_the_email_asks_and_the_button_unsubscribes(new_context, javascript):
    poll = make_poll(question="How would you define social learning?")
    comment = add(
        poll,
        name="Bea",
        email="bea@example.com",
        body="Learning with others.",
        notify=True,
    )
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(comment)}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop reply emails?")
    comment.refresh_from_db()
    assert comment.notify is True  # opening the link (as a mail scanner does) changed nothing

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    comment.refresh_from_db()
    assert comment.notify is False
    page.get_by_role("link", name="Back to").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(poll.question)
