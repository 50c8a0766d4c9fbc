"""What a new user meets in the first hour (issue 11, part 2): wording and small things."""

import logging

import pytest
from playwright.sync_api import expect

from polls.lifecycle import poll_close
from tests.browser.helpers import log_in, results, vote_for, wait_for_htmx
from tests.factories import PASSWORD, make_poll, make_user

pytestmark = pytest.mark.browser

JS_MODES = pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
CHOICES = ("Learning from other people", "Using social media in a course")


def test_saving_an_edited_poll_says_saved_not_published(new_context, trainer):
    poll = make_poll(author=trainer, question="How would you define social learning?")
    page = new_context().new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto(f"/polls/{poll.slug}/edit/")
    page.get_by_label("Intro").fill("A new intro.")
    page.get_by_role("button", name="Save changes").click()

    # The page has two status regions (the messages, and the vote's by the vote).
    status = page.get_by_role("status").filter(has_text="Your changes are saved.")
    expect(status).to_be_visible()
    expect(status).not_to_contain_text("published")


def test_edit_page_of_a_closed_poll_says_closed(new_context, trainer):
    poll = poll_close(poll=make_poll(author=trainer))
    page = new_context().new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto(f"/polls/{poll.slug}/edit/")

    state = page.locator("main p", has=page.get_by_role("link", name=poll.question))
    expect(state).to_contain_text("closed")
    expect(state).not_to_contain_text("published")
    page.get_by_role("button", name="Save changes").click()
    status = page.get_by_role("status").filter(has_text="The poll is closed.")
    expect(status).to_be_visible()
    expect(status).not_to_contain_text("published")


@JS_MODES
def test_changing_a_vote_says_it_was_changed(new_context, javascript):
    poll = make_poll(choices=CHOICES, allow_vote_change=True)
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(poll.get_absolute_url())
    if javascript:
        wait_for_htmx(page)
    vote_for(page, CHOICES[0])
    statuses = page.get_by_role("status")
    expect(statuses.filter(has_text="Thanks for voting!")).to_be_visible()

    vote_for(page, CHOICES[1])
    expect(statuses.filter(has_text="Your vote was changed.")).to_be_visible()
    expect(statuses.filter(has_text="Thanks for voting")).to_have_count(0)
    expect(results(page).locator(".result-total")).to_have_text("1 vote")


@JS_MODES
def test_voting_on_a_poll_that_just_closed_says_closed_once(new_context, javascript):
    poll = make_poll(choices=CHOICES)
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(poll.get_absolute_url())
    if javascript:
        wait_for_htmx(page)
    poll_close(poll=poll)  # while the reader chooses

    vote_for(page, CHOICES[0])

    vote_block = page.locator("#poll-vote")
    expect(vote_block.get_by_role("alert")).to_contain_text("This poll is closed")
    expect(vote_block.get_by_text("closed", exact=False)).to_have_count(1)
    expect(page.get_by_role("button", name="Vote")).to_have_count(0)


def test_logging_out_says_so(new_context):
    make_user("ana")
    page = new_context().new_page()
    log_in(page, "ana", PASSWORD)

    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("status")).to_contain_text("You have logged out.")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_a_missing_page_under_debug_shows_the_sites_404_and_logs_the_detail(
    new_context, settings, caplog
):
    settings.DEBUG = True  # what `make run` gives every newcomer
    poll = make_poll()
    page = new_context().new_page()
    caplog.set_level(logging.WARNING, logger="django.request")

    for address in ("/no-such-page/", "/polls/no-such-poll/", f"/polls/{poll.slug}/nope/"):
        response = page.goto(address)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.get_by_role("link", name="See the current polls")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("URLconf")
        expect(page.locator("body")).not_to_contain_text("DEBUG = True")
    assert any("DEBUG detail" in record.getMessage() for record in caplog.records)
    # A missing slash is still put right (Django's APPEND_SLASH), not answered with a 404.
    page.goto(f"/polls/{poll.slug}")
    assert page.url.endswith(f"/polls/{poll.slug}/")
