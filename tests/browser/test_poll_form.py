"""The trainer's poll form as a newcomer meets it: multiple choice and its maximum, all
errors in one round, adding choices in place."""

import pytest
from playwright.sync_api import expect

from polls.models import Poll
from tests.browser.helpers import log_in, marker_survived, plant_marker, wait_for_htmx
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

MAXIMUM = "Maximum choices per voter"


def new_poll_page(new_context, *, javascript=True):
    page = new_context(java_script_enabled=javascript).new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto("/polls/new/")
    if javascript:
        wait_for_htmx(page)
    return page


def fill_choices(page, *texts):
    for number, text in enumerate(texts, start=1):
        page.get_by_label(f"Choice {number}", exact=True).fill(text)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_multiple_choice_with_a_maximum_of_one_is_refused(new_context, trainer, javascript):
    page = new_poll_page(new_context, javascript=javascript)
    page.get_by_label("Question").fill("How would you define blended learning?")
    fill_choices(page, "Online plus classroom", "Any mix", "A buzzword")
    page.get_by_label("Multiple choice").check()
    page.get_by_label(MAXIMUM).fill("1")
    page.get_by_role("button", name="Publish").click()

    field = page.get_by_label(MAXIMUM)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#div_id_max_choices")).to_contain_text("at least 2")
    expect(page.get_by_label("Choice 3", exact=True)).to_have_value("A buzzword")
    assert not Poll.objects.exists()


def test_maximum_choices_shows_only_for_multiple_choice(new_context, trainer):
    page = new_poll_page(new_context)

    expect(page.get_by_label(MAXIMUM)).to_be_hidden()
    page.get_by_label("Multiple choice").check()
    expect(page.get_by_label(MAXIMUM)).to_be_visible()
    page.get_by_label("Multiple choice").uncheck()
    expect(page.get_by_label(MAXIMUM)).to_be_hidden()


def test_without_javascript_maximum_choices_says_it_is_for_multiple_choice(new_context, trainer):
    page = new_poll_page(new_context, javascript=False)

    expect(page.get_by_label(MAXIMUM)).to_be_visible()
    expect(page.locator("#div_id_max_choices")).to_contain_text("Only for multiple choice")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_poll_form_reports_all_its_errors_at_once(new_context, trainer, javascript):
    page = new_poll_page(new_context, javascript=javascript)
    page.get_by_label("Intro").fill("An intro I do not want to type again.")
    fill_choices(page, "Only one choice")
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_label("Question")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").filter(has_text="at least two choices")).to_be_visible()
    expect(page.get_by_label("Intro")).to_have_value("An intro I do not want to type again.")
    expect(page.get_by_label("Choice 1", exact=True)).to_have_value("Only one choice")


def test_add_another_choice_adds_a_row_in_place_with_javascript(new_context, trainer):
    page = new_poll_page(new_context)
    page.get_by_label("Question").fill("How would you define blended learning?")
    fill_choices(page, "A", "B", "C", "D")
    plant_marker(page)

    page.get_by_role("button", name="Add another choice").click()

    fifth = page.get_by_label("Choice 5", exact=True)
    expect(fifth).to_be_focused()
    fifth.fill("E")
    assert marker_survived(page), "adding a choice reloaded the page"
    expect(page.get_by_label("Question")).to_have_value("How would you define blended learning?")
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How would you define blended learning?"
    )
    assert list(Poll.objects.get().choices.values_list("text", flat=True)) == [
        "A",
        "B",
        "C",
        "D",
        "E",
    ]


def test_add_another_choice_works_without_javascript(new_context, trainer):
    page = new_poll_page(new_context, javascript=False)
    fill_choices(page, "A", "B", "C", "D")

    page.get_by_role("button", name="Add another choice").click()

    expect(page.get_by_label("Choice 4", exact=True)).to_have_value("D")
    expect(page.get_by_label("Choice 5", exact=True)).to_have_value("")
