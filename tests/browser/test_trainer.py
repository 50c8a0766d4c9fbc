"""A trainer writes and publishes a poll in the browser; a reader finds it and votes."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, results, vote_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

QUESTION = "How would you define blended learning?"
CHOICES = ["Online plus classroom", "Any mix of methods", "A buzzword"]


def test_trainer_publishes_a_poll_with_three_choices_and_a_reader_votes(new_context, trainer):
    page = new_context().new_page()
    log_in(page, "morgan", PASSWORD)
    page.get_by_role("link", name="New poll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New poll")

    page.get_by_label("Question").fill(QUESTION)
    page.get_by_label("Intro").fill("People mean *very* different things by it.")
    for number, text in enumerate(CHOICES, start=1):
        field = page.get_by_label(f"Choice {number}", exact=True)
        if field.count() == 0:
            page.get_by_role("button", name="Add another choice").click()
        page.get_by_label(f"Choice {number}", exact=True).fill(text)
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    poll_url = page.url

    reader = new_context().new_page()
    reader.goto("/")
    reader.get_by_role("link", name=QUESTION).click()
    assert reader.url == poll_url
    expect(reader.locator(".poll-intro em")).to_have_text("very")
    legend = reader.locator("fieldset legend")
    expect(legend).to_have_text(QUESTION)
    for text in CHOICES:
        expect(reader.get_by_label(text, exact=True)).to_be_visible()
    vote_for(reader, "Any mix of methods")

    expect(reader.get_by_role("status").filter(has_text="Thanks for voting")).to_be_visible()
    expect(results(reader).locator(".result-total")).to_have_text("1 vote")
    row = results(reader).locator(".result-row", has_text="Any mix of methods")
    expect(row).to_contain_text("1 vote · 100%")
