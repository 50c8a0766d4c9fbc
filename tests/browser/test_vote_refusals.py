"""A refused vote with JavaScript on: the reason shows in place and the page stays.

Run with DEBUG on, as `make run` serves every newcomer: django-htmx's debug script
(added by `{% htmx_script %}` under DEBUG) would otherwise paint 400/403 answers over the
whole page. The same tests hold with DEBUG off (production).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from polls.models import Poll
from tests.browser.helpers import marker_survived, plant_marker, wait_for_htmx
from tests.factories import make_poll

pytestmark = pytest.mark.browser

CHOICES = ("Learning from other people", "Using social media in a course", "Something else")


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def open_poll(page, poll):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    plant_marker(page)


def assert_refused_in_place(page, poll, reason: str) -> None:
    alert = page.locator("#poll-vote").get_by_role("alert")
    expect(alert).to_contain_text(reason)
    # The page is still the page: its heading, styles and discussion, not a bare fragment.
    expect(page.get_by_role("heading", level=1, name=poll.question)).to_be_visible()
    expect(page.get_by_role("button", name="Post comment")).to_be_visible()
    assert page.evaluate("() => document.styleSheets.length") > 0
    assert marker_survived(page), "the refused vote reloaded or replaced the page"


def test_vote_without_a_choice_shows_the_reason_in_place(page, debug):
    poll = make_poll(choices=CHOICES)
    open_poll(page, poll)

    page.get_by_role("button", name="Vote").click()

    assert_refused_in_place(page, poll, "Choose")


def test_too_many_ticks_show_the_reason_in_place(page, debug):
    poll = make_poll(choices=CHOICES, multiple=True, max_choices=2)
    open_poll(page, poll)

    for choice in CHOICES:
        page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Vote").click()

    assert_refused_in_place(page, poll, "at most 2")


def test_vote_on_a_poll_closed_meanwhile_shows_the_reason_in_place(page, debug):
    poll = make_poll(choices=CHOICES)
    open_poll(page, poll)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))

    page.get_by_label(CHOICES[0], exact=True).check()
    page.get_by_role("button", name="Vote").click()

    assert_refused_in_place(page, poll, "closed")


# --- on a phone, the thanks shows where the reader is ------------------------------------

LONG_INTRO = "\n\n".join(
    f"Paragraph {n}: what people mean by social learning varies a lot, and that is the point "
    "of asking. Read the definitions below and pick the one closest to yours."
    for n in range(8)
)


def test_thanks_for_voting_shows_where_the_reader_is_on_a_phone(new_context):
    poll = make_poll(choices=CHOICES, intro=LONG_INTRO)
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    open_poll(page, poll)
    page.get_by_label(CHOICES[2], exact=True).scroll_into_view_if_needed()

    page.get_by_label(CHOICES[2], exact=True).check()
    page.get_by_role("button", name="Vote").click()

    thanks = page.get_by_role("status").filter(has_text="Thanks for voting")
    expect(thanks).to_be_visible()
    expect(thanks).to_be_in_viewport()
    expect(page.locator("#poll-results")).to_be_in_viewport()
