"""The embed in a real frame on another origin: a tiny page served by http.server on
127.0.0.1 (another site than the live server's localhost) or on localhost with another
port (the same site), framing /polls/<slug>/embed/ in a Chromium that blocks third-party
cookies."""

import re

import pytest
from playwright.sync_api import expect

from polls.models import Ballot
from tests.browser.blog import blog_post, blog_server  # noqa: F401  (the `blog` fixture)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.factories import make_poll

pytestmark = pytest.mark.browser

QUESTION = "How would you define a community of practice?"


@pytest.fixture
def blocking_browser(browser):
    """A Chromium of its own that blocks third-party cookies (Chrome's testing switch)."""
    launched = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
        headless=True,
    )
    yield launched
    launched.close()


@pytest.fixture
def reader(blocking_browser):
    context = blocking_browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def poll(settings, live_server, blog):
    settings.SOCIALPOLL_EMBED_ORIGINS = [f"http://127.0.0.1:{blog}", f"http://localhost:{blog}"]
    return make_poll(question=QUESTION, choices=("A group", "A habit", "Something else"))


def test_on_another_site_the_vote_goes_to_a_new_tab_with_the_choice(
    reader, poll, blog, live_server
):
    page = reader.new_page()
    page.goto(blog_post(blog, "127.0.0.1", f"{live_server.url}/polls/{poll.slug}/embed/"))
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text(QUESTION)
    assert page.frames[1].evaluate("() => document.cookie") == ""  # no cookie in the frame
    frame.get_by_label("A habit").check()
    with reader.expect_page() as new_tab:
        frame.get_by_role("button", name="Vote in a new tab").click()
    tab = new_tab.value
    expect(tab.get_by_role("heading", level=1)).to_have_text(QUESTION)
    expect(tab.get_by_label("A habit")).to_be_checked()
    tab.get_by_role("button", name="Vote").click()
    expect(tab.get_by_role("status").filter(has_text="Thanks for voting")).to_be_visible()
    ballot = Ballot.objects.get(poll=poll)
    assert [c.text for c in ballot.choices.all()] == ["A habit"]


def test_on_the_same_site_the_vote_is_cast_in_the_frame(reader, poll, blog, live_server):
    page = reader.new_page()
    page.goto(blog_post(blog, "localhost", f"{live_server.url}/polls/{poll.slug}/embed/"))
    frame = page.frame_locator("iframe")
    frame.get_by_label("A group").check()
    frame.get_by_role("button", name="Vote", exact=True).click()
    expect(frame.locator("#messages")).to_contain_text("Thanks for voting")
    expect(frame.locator(".your-vote")).to_contain_text("You voted for A group")
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert len(reader.pages) == 1  # no new tab


def framed_content(page, blog: int, host: str, url: str) -> str:
    """The text the frame shows once the blog post has loaded (an error page if refused)."""
    page.goto(blog_post(blog, host, url), wait_until="load")
    frame = page.frames[1]
    return frame.evaluate("() => document.body ? document.body.innerText : ''")


def test_an_origin_not_listed_cannot_frame_the_embed(settings, page, poll, blog, live_server):
    settings.SOCIALPOLL_EMBED_ORIGINS = ["https://blog.example.org"]
    shown = framed_content(page, blog, "127.0.0.1", f"{live_server.url}/polls/{poll.slug}/embed/")
    assert QUESTION not in shown


def test_a_listed_origin_can_frame_only_the_embed(page, poll, blog, live_server):
    embed = framed_content(page, blog, "127.0.0.1", f"{live_server.url}/polls/{poll.slug}/embed/")
    assert QUESTION in embed
    for path in (poll.get_absolute_url(), "/"):
        shown = framed_content(page, blog, "127.0.0.1", f"{live_server.url}{path}")
        assert "socialpoll" not in shown and QUESTION not in shown, path
    assert re.match(r"chrome-error://", page.frames[1].url)
