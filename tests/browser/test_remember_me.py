""" "Remember me" on the comment form: opt-in, kept in the commenter's own browser only."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.posting import comment_place
from comments.remember import COMMENTER_COOKIE
from tests.browser.helpers import wait_for_htmx
from tests.factories import make_poll

pytestmark = pytest.mark.browser

JS_MODES = pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
ANA = {"Name": "Ana Lima", "Email": "ana@example.com", "Website": "https://ana.example.org"}


@pytest.fixture(autouse=True)
def _people_type_at_machine_speed(settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0


@pytest.fixture
def poll():
    return make_poll(question="How would you define social learning?")


def post_comment(page, body: str, *, remember: bool | None, details=ANA) -> None:
    form = page.locator("#comment-form")
    for label, value in details.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("textbox", name="Comment").fill(body)
    if remember is not None:
        form.get_by_label("Remember me").set_checked(remember)
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("article.comment", has_text=body)).to_be_visible()


def expect_form_filled_with(page, details: dict) -> None:
    form = page.locator("#comment-form")
    for label, value in details.items():
        expect(form.get_by_label(label)).to_have_value(value)


def open_poll(page, poll, javascript: bool) -> None:
    page.goto(poll.get_absolute_url())
    if javascript:
        wait_for_htmx(page)


@JS_MODES
def test_remember_me_fills_in_the_next_comment_form_in_that_browser_only(
    new_context, poll, javascript, settings
):
    # Published at once: no comment awaiting moderation makes Ana's page her own but this.
    settings.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS = False
    comment_place(
        poll=poll,
        parent=None,
        name="Ben",
        email="ben@example.com",
        body="Learning through others.",
        status=Comment.Status.APPROVED,
    )
    # A first-time reader has the page cached for everyone like them.
    stranger = new_context().new_page()
    stranger.goto(poll.get_absolute_url())
    expect(stranger.get_by_label("Remember me")).not_to_be_checked()  # opt-in

    page = new_context(java_script_enabled=javascript).new_page()
    open_poll(page, poll, javascript)
    post_comment(page, "A community of practice.", remember=True)
    if javascript:  # the form swapped in after posting is already filled in
        expect_form_filled_with(page, ANA)
    cookie = next(c for c in page.context.cookies() if c["name"] == COMMENTER_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert cookie["expires"] > 0  # kept, not a session cookie

    open_poll(page, poll, javascript)
    expect_form_filled_with(page, ANA)
    expect(page.locator("#comment-form").get_by_label("Remember me")).to_be_checked()
    ben = page.locator("article.comment", has_text="Learning through others.")
    ben.get_by_role("link", name="Reply").click()
    expect(page.locator("#reply-form").get_by_label("Name")).to_have_value("Ana Lima")

    # Nobody else is shown Ana's details: not a new reader, not the cached page.
    for other in (stranger, new_context().new_page()):
        other.goto(poll.get_absolute_url())
        expect_form_filled_with(other, {"Name": "", "Email": "", "Website": ""})
        expect(other.locator("body")).not_to_contain_text("ana@example.com")


@JS_MODES
def test_unticking_remember_me_and_posting_forgets_the_details(new_context, poll, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    open_poll(page, poll, javascript)
    post_comment(page, "First thought.", remember=True)
    open_poll(page, poll, javascript)
    expect_form_filled_with(page, ANA)

    post_comment(page, "Second thought.", remember=False, details={})

    assert Comment.objects.filter(name="Ana Lima").count() == 2
    assert COMMENTER_COOKIE not in {c["name"] for c in page.context.cookies()}
    open_poll(page, poll, javascript)
    expect_form_filled_with(page, {"Name": "", "Email": "", "Website": ""})
    expect(page.locator("#comment-form").get_by_label("Remember me")).not_to_be_checked()


def test_without_remember_me_nothing_is_kept(new_context, poll):
    page = new_context().new_page()
    open_poll(page, poll, True)
    post_comment(page, "Just this once.", remember=None)

    assert COMMENTER_COOKIE not in {c["name"] for c in page.context.cookies()}
    open_poll(page, poll, True)
    expect_form_filled_with(page, {"Name": "", "Email": "", "Website": ""})
