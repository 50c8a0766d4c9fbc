"""Sharing and joining in a real browser: scan the QR code on the page, copy the link with
and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_poll
from tests.polls.qrdecode import decode_bitmap, png_bitmap

pytestmark = pytest.mark.browser


@pytest.fixture
def poll(settings, live_server):
    settings.SITE_URL = live_server.url  # the join address the QR code holds must work here
    return make_poll(question="How would you define a community of practice?")


def test_the_qr_code_on_the_page_scans_to_the_join_address_which_opens_the_poll(page, poll):
    page.goto(poll.get_absolute_url())
    qr = page.get_by_role("img", name=re.compile("QR"))
    expect(qr).to_be_visible()
    scanned = decode_bitmap(png_bitmap(qr.screenshot()))  # what the browser drew
    assert scanned == [f"{poll_site(page)}/j/{poll.join_code}"]
    page.goto(scanned[0].lower())  # typed in lower case, the code still works
    expect(page.get_by_role("heading", level=1)).to_have_text(poll.question)


def poll_site(page) -> str:
    return re.match(r"https?://[^/]+", page.url).group(0)


def test_copy_link_copies_the_address_and_says_so(new_context, poll):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(poll.get_absolute_url())
    share = page.get_by_role("region", name="Share this poll")
    share.get_by_role("button", name="Copy link").click()
    expect(page.locator("#messages")).to_contain_text("Link copied.")
    expect(share.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == (
        f"{poll_site(page)}{poll.get_absolute_url()}"
    )


def test_without_javascript_the_link_is_a_field_to_select(nojs_page, poll):
    nojs_page.goto(poll.get_absolute_url())
    share = nojs_page.get_by_role("region", name="Share this poll")
    field = share.get_by_label("Link to this poll")
    expect(field).to_have_value(f"{poll_site(nojs_page)}{poll.get_absolute_url()}")
    expect(field).not_to_be_editable()
    expect(share.get_by_role("button", name="Copy link")).to_be_hidden()  # it would do nothing
    expect(share.get_by_role("link", name="PNG")).to_have_attribute(
        "href", f"/polls/{poll.slug}/qr.png"
    )
