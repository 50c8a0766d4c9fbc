"""Screenshots for the README: not part of the suite (the name does not start with test_).

    .venv/bin/pytest tests/browser/screenshots.py -p no:cacheprovider

writes docs/screenshot-poll.png (the demo poll after a vote, light scheme, the top of the
page) and
docs/screenshot-poll-phone-dark.png (its results on a 375-px phone, dark scheme) and
docs/img/presenter.png (the demo poll's presenter view on a 1280x720 projector, results shown).
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.helpers import results, vote_for

DOCS = Path(__file__).resolve().parents[2] / "docs"
DEMO_URL = "/polls/how-would-you-define-social-learning/"


@pytest.fixture
def demo():
    call_command("load_demo", force=True, verbosity=0)


def voted_demo_page(new_context, **options):
    page = new_context(**options).new_page()
    page.goto(DEMO_URL)
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    vote_for(page, "Learning with and from other people, online or in the room")
    expect(results(page).locator(".result-total")).to_contain_text("votes")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return page


def test_screenshot_poll_page(new_context, demo):
    page = voted_demo_page(new_context, viewport={"width": 1200, "height": 1500})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "screenshot-poll.png"))


def test_screenshot_poll_page_on_a_dark_phone(new_context, demo):
    page = voted_demo_page(new_context, viewport={"width": 375, "height": 812}, color_scheme="dark")
    results(page).scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "screenshot-poll-phone-dark.png"))


def test_screenshot_presenter_view(new_context, demo):
    from tests.browser.helpers import log_in

    voted_demo_page(new_context, viewport={"width": 390, "height": 844})
    page = new_context(viewport={"width": 1280, "height": 720}).new_page()
    log_in(page, "trainer", "socialpoll-demo")  # the demo's trainer (polls/demo.py)
    page.goto(DEMO_URL + "present/")
    expect(page.locator("#present-total")).to_contain_text("votes")
    expect(page.locator(".present-row").first).to_be_visible()
    page.wait_for_timeout(700)  # the bars' width transition (.6 s) ends: a still picture
    (DOCS / "img").mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "img" / "presenter.png"))
