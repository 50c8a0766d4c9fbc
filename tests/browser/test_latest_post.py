""" "NAME recently posted: TITLE" as a commenter meets it: tick the box, post, and the link to
their latest post shows under their comment once the task has run; axe and the Nu checker
find nothing wrong with it, nor with the form's error when no website is given."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.posting import comment_place
from tests.browser.conftest import axe_violations, describe_html_errors, describe_violations
from tests.browser.helpers import wait_for_htmx
from tests.factories import make_poll
from tests.feedserver import HTML, page_announcing, rss

pytestmark = pytest.mark.browser

JS_MODES = pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
TITLE = "Ten ideas for using social collaboration in training"


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0  # the browser types at machine speed
    settings.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS = False


@pytest.fixture
def poll():
    return make_poll(question="How would you define social learning?")


@pytest.fixture
def blog(feed_server):
    feed_server.add("/feed/", rss((TITLE, feed_server.url("/ten-ideas/"))))
    feed_server.add("/", page_announcing("/feed/"), HTML)
    return feed_server


@JS_MODES
def test_the_commenters_latest_post_shows_under_their_comment(new_context, poll, blog, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(poll.get_absolute_url())
    if javascript:
        wait_for_htmx(page)
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Chris")
    form.get_by_label("Email").fill("chris@example.com")
    form.get_by_label("Website").fill(blog.url("/"))
    form.get_by_role("textbox", name="Comment").fill(
        "Training is social whether we plan it or not."
    )
    form.get_by_label("Show my latest blog post").check()
    form.get_by_role("button", name="Post comment").click()

    mine = page.locator("article.comment", has_text="Training is social")
    expect(mine).to_contain_text(f"Chris recently posted: {TITLE}")
    link = mine.get_by_role("link", name=TITLE)
    expect(link).to_have_attribute("href", blog.url("/ten-ideas/"))
    expect(link).to_have_attribute("rel", "nofollow ugc")
    assert blog.paths() == ["/", "/feed/"]
    # A reader who comes later sees it too.
    other = new_context().new_page()
    other.goto(poll.get_absolute_url())
    expect(other.get_by_role("link", name=TITLE)).to_be_visible()


@JS_MODES
def test_a_signed_in_commenter_gives_their_website_on_their_profile(
    new_context, poll, blog, javascript
):
    from tests.browser.helpers import log_in
    from tests.factories import PASSWORD, make_user

    make_user("chris")
    page = new_context(java_script_enabled=javascript).new_page()
    log_in(page, "chris", PASSWORD)
    page.goto(poll.get_absolute_url())
    form = page.locator("#comment-form")
    expect(form.get_by_label("Show my latest blog post")).to_have_count(0)
    form.get_by_role("link", name="your profile").click()

    page.get_by_label("Website").fill(blog.url("/"))
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status"))).to_contain_text(
        "Your profile was saved."
    )
    page.goto(poll.get_absolute_url())
    if javascript:
        wait_for_htmx(page)
    form = page.locator("#comment-form")
    form.get_by_role("textbox", name="Comment").fill("Training is social, on my blog too.")
    form.get_by_label("Show my latest blog post").check()
    form.get_by_role("button", name="Post comment").click()

    mine = page.locator("article.comment", has_text="Training is social, on my blog too.")
    expect(mine).to_contain_text(f"chris recently posted: {TITLE}")
    expect(mine.get_by_role("link", name="chris", exact=True)).to_have_attribute(
        "href", blog.url("/")
    )


def _thread_with_a_latest_post(poll) -> None:
    comment_place(
        poll=poll,
        parent=None,
        name="Chris",
        email="chris@example.com",
        website="https://chris.example.com/",
        body="Training is social whether we plan it or not.",
        status=Comment.Status.APPROVED,
        show_latest_post=True,
        latest_post_title=TITLE,
        latest_post_url="https://chris.example.com/ten-ideas/",
    )


def _checkbox_without_website(page, poll) -> str:
    page.goto(poll.get_absolute_url())
    form = page.locator("#comment-form")
    form.get_by_label("Name").fill("Chris")
    form.get_by_label("Email").fill("chris@example.com")
    form.get_by_role("textbox", name="Comment").fill("No website given.")
    form.get_by_label("Show my latest blog post").check()
    with page.expect_navigation() as navigation:
        page.evaluate("() => document.querySelector('#comment-form').submit()")
    expect(page.locator("#comment-form")).to_contain_text("Give your website")
    return navigation.value.text()


def _poll_page(page, poll) -> str:
    response = page.goto(poll.get_absolute_url())
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    return response.text()


@pytest.mark.parametrize("scenario", ["latest_post_shown", "checkbox_without_website"])
def test_axe_and_nu_find_nothing_wrong(a11y_page, nu_checker, poll, scenario):
    _thread_with_a_latest_post(poll)
    if scenario == "latest_post_shown":
        html = _poll_page(a11y_page, poll)
    else:
        html = _checkbox_without_website(a11y_page, poll)
    violations = axe_violations(a11y_page)
    assert violations == [], describe_violations(violations)
    errors = nu_checker.errors(html)
    assert errors == [], describe_html_errors(errors)
