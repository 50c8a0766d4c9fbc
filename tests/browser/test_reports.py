"""Reports in a real browser: readers report, the comment goes, the trainer puts it back."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.posting import comment_place
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, make_poll

pytestmark = pytest.mark.browser

A_DAY = 24 * 60 * 60
TEXT = "Polls are not learning; conversations are."


def established_context(new_context, live_server, address_header: str):
    """A reader's browser that got its voter cookie a day ago."""
    from django.conf import settings

    from tests.factories import voter_client

    cookie = voter_client(issued_ago=A_DAY).cookies[settings.POLLS_VOTER_COOKIE].value
    context = new_context()
    context.add_cookies(
        [{"name": settings.POLLS_VOTER_COOKIE, "value": cookie, "url": live_server.url}]
    )
    context.set_extra_http_headers({"X-Forwarded-For": address_header})
    return context


def test_readers_report_a_comment_and_the_trainer_restores_it(
    new_context, live_server, settings, trainer
):
    settings.RATELIMIT_TRUST_X_FORWARDED_FOR = True  # three readers at three addresses
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    poll = make_poll(author=trainer, question="How would you define social learning?")
    comment = comment_place(
        poll=poll, parent=None, name="Bea", body=TEXT, status=Comment.Status.APPROVED
    )
    for number, reason in enumerate(["Off topic", "Rude", "Spam"]):
        reader = established_context(new_context, live_server, f"198.51.100.{number + 1}")
        page = reader.new_page()
        page.goto(poll.get_absolute_url())
        page.get_by_role("link", name="Report this comment by Bea").click()
        page.get_by_label("What is wrong with it? (optional)").fill(reason)
        page.get_by_role("button", name="Report comment").click()
        expect(
            page.get_by_role("status").filter(has_text="A moderator will take a look")
        ).to_be_visible()
    expect(page.locator(f"#comment-{comment.pk}")).to_have_count(0)

    page = new_context().new_page()
    log_in(page, "morgan", PASSWORD)
    page.goto(poll.get_absolute_url())
    held = page.get_by_role("region", name="Hidden after readers\u2019 reports")
    expect(held).to_contain_text("Off topic")
    expect(held).to_contain_text("Rude")
    held.get_by_role("button", name="Restore the comment by Bea").click()
    expect(
        page.get_by_role("status").filter(has_text="The comment is published again.")
    ).to_be_visible()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text(TEXT)

    reader = new_context().new_page()
    reader.goto(poll.get_absolute_url())
    expect(reader.locator(f"#comment-{comment.pk}")).to_contain_text(TEXT)
