"""A reader votes on a poll in a real browser: with htmx, without JavaScript, by keyboard."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    focus_moves_into,
    focused_element,
    marker_survived,
    plant_marker,
    results,
    vote_for,
    wait_for_htmx,
)
from tests.factories import make_poll

pytestmark = pytest.mark.browser

CHOICES = ("Learning from other people", "Using social media in a course", "Something else")


@pytest.fixture
def poll():
    return make_poll(question="How would you define social learning?", choices=CHOICES)


def test_reader_votes_and_sees_results_without_a_page_load(page, poll):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    plant_marker(page)

    vote_for(page, "Using social media in a course")

    status = page.get_by_role("status").filter(has_text="Thanks for voting")
    expect(status).to_be_visible()
    expect(results(page).locator(".result-total")).to_have_text("1 vote")
    row = results(page).locator(".result-row", has_text="Using social media in a course")
    expect(row).to_contain_text("1 vote · 100%")
    assert marker_survived(page), "voting reloaded the whole page instead of swapping in results"


def test_focus_lands_on_the_results_after_the_htmx_vote(page, poll):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)

    vote_for(page, "Something else")

    expect(results(page).locator(".result-total")).to_have_text("1 vote")
    assert focus_moves_into(page, "#poll-vote"), (
        f"focus was left on {focused_element(page)} after the swap, not on the results"
    )


def test_reader_votes_without_javascript(nojs_page, poll):
    page = nojs_page
    page.goto(poll.get_absolute_url())

    vote_for(page, "Learning from other people")

    assert page.url.endswith(poll.get_absolute_url())
    expect(page.get_by_role("status").filter(has_text="Thanks for voting!")).to_be_visible()
    expect(results(page).locator(".result-total")).to_have_text("1 vote")
    row = results(page).locator(".result-row", has_text="Learning from other people")
    expect(row).to_contain_text("1 vote · 100%")


def test_a_second_browser_adds_exactly_one_vote(new_context, poll):
    first = new_context().new_page()
    first.goto(poll.get_absolute_url())
    vote_for(first, "Learning from other people")
    expect(results(first).locator(".result-total")).to_have_text("1 vote")

    second = new_context().new_page()
    second.goto(poll.get_absolute_url())
    vote_for(second, "Something else")

    expect(results(second).locator(".result-total")).to_have_text("2 votes")
    first.reload()
    expect(results(first).locator(".result-total")).to_have_text("2 votes")
    expect(results(first).locator(".result-row", has_text="Something else")).to_contain_text(
        "1 vote · 50%"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_the_same_browser_cannot_vote_twice(new_context, poll, javascript):
    context = new_context(java_script_enabled=javascript)
    stale_tab = context.new_page()
    stale_tab.goto(poll.get_absolute_url())
    voting_tab = context.new_page()
    voting_tab.goto(poll.get_absolute_url())
    vote_for(voting_tab, "Learning from other people")
    expect(results(voting_tab).locator(".result-total")).to_have_text("1 vote")

    # The other tab still shows the form; sending it again must not count.
    vote_for(stale_tab, "Something else")

    expect(stale_tab.get_by_role("alert")).to_contain_text("already voted")
    voting_tab.reload()
    expect(voting_tab.get_by_role("button", name="Vote")).to_have_count(0)
    expect(results(voting_tab).locator(".result-total")).to_have_text("1 vote")


def test_reader_votes_with_the_keyboard_only(page, poll):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)

    # Tab from the top of the page to the first choice, arrow to the second, Tab to "Vote".
    first_choice = page.get_by_label(CHOICES[0], exact=True)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type === 'radio'"):
            break
    expect(first_choice).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label(CHOICES[1], exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Vote")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="Thanks for voting")).to_be_visible()
    row = results(page).locator(".result-row", has_text=CHOICES[1])
    expect(row).to_contain_text("1 vote · 100%")


def test_open_results_refresh_while_the_reader_watches(new_context, poll, settings):
    settings.POLLS_RESULTS_REFRESH_SECONDS = 1  # the default 5 s would only slow the suite
    watcher = new_context().new_page()
    watcher.goto(poll.get_absolute_url())
    wait_for_htmx(watcher)
    vote_for(watcher, "Learning from other people")
    expect(results(watcher).locator(".result-total")).to_have_text("1 vote")
    plant_marker(watcher)

    other = new_context(java_script_enabled=False).new_page()
    other.goto(poll.get_absolute_url())
    vote_for(other, "Something else")

    # No reload by the watcher: the open poll's results fragment refreshes itself.
    expect(results(watcher).locator(".result-total")).to_have_text("2 votes", timeout=15_000)
    assert marker_survived(watcher)
