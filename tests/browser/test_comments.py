"""The discussion under a poll, as people use it: post, moderate in the admin, reply."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests.browser.helpers import (
    focus_moves_into,
    focused_element,
    marker_survived,
    plant_marker,
    wait_for_htmx,
)
from tests.comments.helpers import add
from tests.factories import PASSWORD, make_poll, make_user, voter_client

pytestmark = pytest.mark.browser

AWAITING = "Your comment is awaiting moderation"
JS_MODES = pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])


@pytest.fixture(autouse=True)
def _people_type_at_machine_speed(settings):
    # The form rejects posts sent sooner than a person can type (a bot guard); the browser
    # here fills it in milliseconds.
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0


@pytest.fixture
def poll():
    return make_poll(question="How would you define social learning?")


@pytest.fixture
def ana_comment(poll):
    return add(
        poll,
        name="Ana",
        email="ana@example.com",
        body="Something else altogether: learning *through* a community.",
    )


def returning_browser_cookie(anonymous_id: str, url: str) -> dict:
    """The voter cookie of a browser that was here before, for Playwright's add_cookies."""
    from django.conf import settings

    value = voter_client(anonymous_id).cookies[settings.POLLS_VOTER_COOKIE].value
    return {"name": settings.POLLS_VOTER_COOKIE, "value": value, "url": url}


def fill_comment(form, *, name: str, email: str, body: str, website: str = "") -> None:
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)
    if website:
        form.get_by_label("Website").fill(website)
    form.get_by_role("textbox", name="Comment").fill(body)


def open_poll(page: Page, poll, javascript: bool) -> None:
    page.goto(poll.get_absolute_url())
    if javascript:
        wait_for_htmx(page)
        plant_marker(page)


@JS_MODES
def test_anonymous_commenter_sees_the_held_comment_marked_as_awaiting_moderation(
    new_context, poll, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    open_poll(page, poll, javascript)

    form = page.locator("#comment-form")
    fill_comment(form, name="Ana", email="ana@example.com", body="A community of practice.")
    form.get_by_role("button", name="Post comment").click()

    mine = page.locator("article.comment", has_text="A community of practice.")
    expect(mine).to_be_visible()
    expect(mine.get_by_role("status")).to_contain_text(AWAITING)
    expect(mine).to_be_in_viewport()  # the confirmation is where the reader is looking
    assert Comment.objects.get().status == Comment.Status.PENDING
    if javascript:
        assert marker_survived(page), "posting reloaded the page instead of swapping it in place"
    # Still there for its author after a reload; nobody else sees it.
    page.reload()
    expect(page.locator("article.comment", has_text="A community of practice.")).to_contain_text(
        AWAITING
    )
    other = new_context().new_page()
    other.goto(poll.get_absolute_url())
    expect(other.get_by_text("A community of practice.")).to_have_count(0)


@JS_MODES
def test_comment_form_with_errors_keeps_the_text_and_says_what_is_wrong(
    new_context, poll, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    open_poll(page, poll, javascript)

    form = page.locator("#comment-form")
    form.get_by_role("textbox", name="Comment").fill("My definition, without a name.")
    form.get_by_role("button", name="Post comment").click()

    form = page.locator("#comment-form")
    name = form.get_by_label("Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("This field is required.")
    expect(form.get_by_role("textbox", name="Comment")).to_have_value(
        "My definition, without a name."
    )
    if javascript:
        expect(name).to_be_focused()
    assert Comment.objects.count() == 0


def test_moderator_approves_a_held_comment_in_the_admin(new_context, poll):
    held = add(
        poll,
        name="Ana",
        email="ana@example.com",
        body="Learning through a community.",
        status=Comment.Status.PENDING,
        reasons=["First comment from this browser"],
    )
    moderator = make_user("moderator", is_staff=True)
    moderator.user_permissions.add(*Permission.objects.filter(content_type__app_label="comments"))

    admin = new_context().new_page()
    admin.goto("/admin/")
    admin.get_by_label("Username").fill("moderator")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Comments", exact=True).first.click()
    row = admin.locator("#result_list tbody tr", has_text="Learning through a community.")
    row.get_by_role("checkbox").check()
    admin.locator("select[name=action]").select_option(label="Approve selected comments")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("1")

    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    reader = new_context().new_page()
    reader.goto(poll.get_absolute_url())
    expect(reader.locator(f"article#comment-{held.pk}")).to_contain_text(
        "Learning through a community."
    )


@JS_MODES
def test_reader_replies_and_the_reply_appears_nested(
    new_context, live_server, poll, ana_comment, javascript
):
    # Ben's browser has had a comment approved before, so his reply is published at once.
    add(
        make_poll(),
        name="Ben",
        email="ben@example.com",
        body="An earlier comment.",
        author_key="anon:bens-browser",
    )
    context = new_context(java_script_enabled=javascript)
    context.add_cookies([returning_browser_cookie("bens-browser", live_server.url)])
    page = context.new_page()
    open_poll(page, poll, javascript)
    parent = page.locator(f"article#comment-{ana_comment.pk}")

    parent.get_by_role("link", name="Reply to Ana").click()

    # With htmx the form opens under the comment; without, on a page of its own.
    reply_form = parent.locator("#reply-form") if javascript else page.locator("#reply-form")
    expect(reply_form).to_be_visible()
    expect(reply_form).to_contain_text("Reply to Ana")
    if javascript:
        expect(reply_form.get_by_label("Name")).to_be_focused()
    fill_comment(reply_form, name="Ben", email="ben@example.com", body="Yes: a community.")
    reply_form.get_by_role("button", name="Post comment").click()

    parent = page.locator(f"article#comment-{ana_comment.pk}")
    reply = parent.locator("article.comment", has_text="Yes: a community.")
    expect(reply).to_be_visible()
    expect(reply).to_contain_text("Ben")
    expect(page.get_by_role("status").filter(has_text="posted")).to_be_visible()
    assert Comment.objects.get(body="Yes: a community.").parent_id == ana_comment.pk
    if javascript:
        assert marker_survived(page), "replying reloaded the page instead of swapping in place"


def test_reader_posts_a_comment_with_the_keyboard_only(page, poll):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    name = page.locator("#comment-form").get_by_label("Name")

    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name === 'name'"):
            break
    expect(name).to_be_focused()
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    page.keyboard.type("ana@example.com")
    page.keyboard.press("Tab")  # Website: optional, left empty
    page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse.")
    # On to "Post comment", past the optional checkbox, and press it.
    for _ in range(5):
        page.keyboard.press("Tab")
        if focused_element(page)["text"] == "Post comment":
            break
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text=AWAITING)).to_be_visible()
    assert Comment.objects.get().body == "Typed without a mouse."


def test_focus_moves_to_the_new_comment_after_posting_with_htmx(page, poll):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    form = page.locator("#comment-form")
    fill_comment(form, name="Ana", email="ana@example.com", body="Focus, please.")

    form.get_by_role("button", name="Post comment").click()

    notice = page.get_by_role("status").filter(has_text=AWAITING)
    expect(notice).to_be_visible()
    mine = Comment.objects.get()
    assert focus_moves_into(page, f"#comment-{mine.pk}"), (
        f"after posting, focus is on {focused_element(page)}, not on the new comment"
    )


def test_opening_a_second_reply_form_closes_the_first(page, poll, ana_comment):
    other = add(
        poll,
        name="Cleo",
        email="cleo@example.com",
        body="Learning by watching each other work.",
    )
    open_poll(page, poll, javascript=True)
    page.locator(f"article#comment-{ana_comment.pk}").get_by_role("link", name="Reply to").click()
    expect(page.locator(f"article#comment-{ana_comment.pk} #reply-form")).to_be_visible()

    page.locator(f"article#comment-{other.pk}").get_by_role("link", name="Reply to").click()

    expect(page.locator(f"article#comment-{other.pk} #reply-form")).to_contain_text("Reply to Cleo")
    expect(page.locator("#reply-form")).to_have_count(1)
    assert marker_survived(page), "opening a reply form reloaded the page"
