"""A trainer works their own queue and uses the poll tools in a browser, with and without
JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.posting import comment_place
from polls.models import Poll
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, make_ballots, make_poll

pytestmark = pytest.mark.browser


@pytest.fixture
def poll(trainer):
    poll = make_poll(author=trainer, question="How would you define social learning?")
    for name, body in (("Quinn", "First held comment"), ("Ravi", "Second held comment")):
        comment_place(poll=poll, parent=None, name=name, body=body, status="pending")
    return poll


def status_of(name: str) -> str:
    return Comment.objects.get(name=name).status


def test_trainer_approves_in_place_with_javascript(new_context, trainer, poll):
    page = new_context().new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto(poll.get_absolute_url())
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    queue = page.locator("#review-queue")
    expect(queue.get_by_role("heading")).to_contain_text("Awaiting your review")
    url_before = page.url
    queue.get_by_role("button", name="Approve the comment by Quinn").click()
    expect(page.locator("#review-queue [role=status]")).to_have_text(
        "Approved: the comment is in the discussion now."
    )
    expect(page.locator("#review-queue")).not_to_contain_text("First held comment")
    expect(page.locator("#review-queue")).to_contain_text("Second held comment")
    assert page.url == url_before  # no page load
    assert status_of("Quinn") == "approved"


def test_trainer_marks_spam_without_javascript(nojs_page, trainer, poll):
    page = nojs_page
    log_in(page, "morgan", PASSWORD)
    page.goto(poll.get_absolute_url())
    page.get_by_role("button", name=re.compile(r"^Spam\W+the comment by Ravi$")).click()
    expect(page.get_by_role("status").first).to_contain_text("Marked as spam")
    assert page.url.endswith("#review-queue")
    expect(page.locator("#review-queue")).not_to_contain_text("Second held comment")
    assert status_of("Ravi") == "spam"


def test_close_now_asks_in_a_dialog_and_cancel_keeps_it_open(new_context, trainer, poll):
    page = new_context().new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto("/polls/mine/")
    page.get_by_role("link", name=f"Close now “{poll.question}”").click()
    dialog = page.locator(f"#confirm-close-{poll.slug}")
    expect(dialog).to_be_visible()
    assert page.url.endswith("/polls/mine/")  # a dialog, not the page
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name=f"Close now “{poll.question}”").click()
    dialog.get_by_role("button", name="Close now").click()
    expect(page.get_by_role("status").first).to_contain_text("The poll is closed.")
    assert page.url.endswith("/polls/mine/")
    poll.refresh_from_db()
    assert poll.state == "closed"
    page.get_by_role("button", name=f"Reopen “{poll.question}”").click()
    expect(page.get_by_role("status").first).to_contain_text("The poll is open again.")


def test_close_now_without_javascript_goes_through_a_confirmation_page(nojs_page, trainer, poll):
    page = nojs_page
    log_in(page, "morgan", PASSWORD)
    page.goto(poll.get_absolute_url())
    page.get_by_role("link", name="Close now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("now?")
    page.get_by_role("button", name="Close now").click()
    expect(page.get_by_role("status").first).to_contain_text("The poll is closed.")
    expect(page.get_by_role("heading", level=1)).to_have_text(poll.question)


def test_duplicate_then_delete_the_copy(new_context, trainer, poll):
    make_ballots(poll, 2)
    page = new_context().new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto(poll.get_absolute_url())
    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit poll")
    expect(page.get_by_label("Question")).to_have_value(poll.question)
    copy = Poll.objects.exclude(pk=poll.pk).get()
    assert copy.status == Poll.Status.DRAFT
    page.goto("/polls/mine/")
    # the voted original offers no Delete; the copy does, after asking
    expect(page.locator(f"a[href^='/polls/{poll.slug}/delete/']")).to_have_count(0)
    page.locator(f"a[href^='/polls/{copy.slug}/delete/']").click()
    page.locator(f"#confirm-delete-{copy.slug}").get_by_role("button", name="Delete poll").click()
    expect(page.get_by_role("status").first).to_contain_text("is deleted")
    assert not Poll.objects.filter(pk=copy.pk).exists()


def test_time_zone_page_offers_the_browsers_zone(new_context, trainer):
    page = new_context(timezone_id="Asia/Tokyo").new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto("/settings/time-zone/?next=/polls/mine/")
    expect(page.locator("#browser-zone")).to_contain_text("This browser is in Asia/Tokyo")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.get_by_text("Times are shown in Asia/Tokyo")).to_be_visible()
