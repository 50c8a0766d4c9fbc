"""On a phone the question and choices come first; a long intro folds behind "Read the
intro" after them (a <details>: no JavaScript needed). Wide screens keep the intro above."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_poll

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG_INTRO = "\n\n".join(
    f"Paragraph {n}: communities of practice, informal learning and the people who learn "
    "together at work, described at some length so that it fills a phone's screen."
    for n in range(1, 6)
)


@pytest.fixture
def poll():
    return make_poll(question="What is a community of practice?", intro=LONG_INTRO)


def top(locator) -> float:
    return locator.bounding_box()["y"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_on_a_phone_the_choices_come_first_and_the_long_intro_folds(new_context, poll, javascript):
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    page.goto(poll.get_absolute_url())
    vote = page.get_by_role("group", name=poll.question)
    expect(vote).to_be_in_viewport()
    expect(page.get_by_role("button", name="Vote")).to_be_in_viewport()
    # Folded, and the wide screen's copy above is not shown either.
    expect(page.locator("p:visible", has_text="Paragraph 1:")).to_have_count(0)
    fold = page.locator("details.poll-intro-fold")
    assert top(fold) > top(vote)
    page.get_by_text("Read the intro").click()
    expect(fold.get_by_text("Paragraph 5:")).to_be_visible()


def test_on_a_wide_screen_the_intro_stays_above_the_vote(page, poll):
    page.goto(poll.get_absolute_url())
    intro = page.locator("p:visible", has_text="Paragraph 1:")
    expect(intro).to_have_count(1)
    expect(page.get_by_text("Read the intro")).to_be_hidden()
    assert top(intro) < top(page.get_by_role("group", name=poll.question))


def test_a_short_intro_stays_above_the_question_on_a_phone(new_context):
    poll = make_poll(intro="Two minutes, one question.")
    page = new_context(viewport=PHONE).new_page()
    page.goto(poll.get_absolute_url())
    expect(page.get_by_text("Two minutes, one question.")).to_be_visible()
    expect(page.get_by_text("Read the intro")).to_have_count(0)
