"""The strict Content-Security-Policy and the browser agree: nothing the pages need is
blocked (our scripts are static files; htmx's own style tag carries the nonce)."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.posting import comment_place
from tests.browser.helpers import results, vote_for, wait_for_htmx
from tests.factories import make_poll

pytestmark = pytest.mark.browser


def test_nothing_is_blocked_while_reading_voting_and_replying(page):
    poll = make_poll()
    comment = comment_place(
        poll=poll, parent=None, name="Ana", body="A comment.", status=Comment.Status.APPROVED
    )
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    vote_for(page, "Yes")
    expect(results(page).locator(".result-total")).to_have_text("1 vote")
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Reply").click()
    expect(page.locator("#reply-form")).to_be_visible()

    assert problems == []
