"""What a reader sees: a phone-width page that does not scroll sideways, the system's
colour scheme, result bars to scale, a threaded discussion with a line to follow."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment
from comments.posting import comment_place
from polls.voters import Voter
from polls.voting import ballot_cast
from tests.browser.helpers import log_in, results
from tests.comments.helpers import add
from tests.factories import PASSWORD, make_poll, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
LONG_WORD = "Antidisestablishmentarianism-in-the-workplace-" * 3


@pytest.fixture
def poll(trainer):
    poll = make_poll(
        author=trainer,
        question="How would you define social learning, in one short sentence?",
        intro=f"A long intro with a pasted link https://example.org/{'a' * 120} and {LONG_WORD}",
        choices=(
            "Learning with and from other people, online or in the room",
            f"Using social media tools in a course ({LONG_WORD})",
            "Something else — tell us in the comments",
        ),
    )
    first, second, _ = poll.choices.all()
    for number, choice in enumerate([first, first, second]):
        voter = Voter(key=f"anon:look-{number}", anonymous_id=f"look-{number}")
        ballot_cast(poll=poll, voter=voter, choice_ids=[str(choice.pk)])
    return poll


@pytest.fixture
def thread(poll):
    approved = Comment.Status.APPROVED
    ana = add(
        poll,
        name="Ana",
        email="ana@example.com",
        website="https://ana.example.com/",
        body=f"Something else altogether: {LONG_WORD} https://example.org/{'b' * 150}",
        status=approved,
    )
    author_reply = add(
        poll,
        parent=ana,
        name="Morgan Reyes",
        user=poll.author,
        body="Say more about the community part?",
        status=approved,
    )
    deep = author_reply
    for depth in range(3):
        deep = comment_place(
            poll=poll, parent=deep, name=f"Reader {depth}", body=LONG_WORD, status=approved
        )
    return {"ana": ana, "author_reply": author_reply}


def horizontal_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_poll_page_with_thread_fits_a_phone_without_scrolling_sideways(new_context, poll, thread):
    page = new_context(viewport=PHONE).new_page()
    page.goto(poll.get_absolute_url())
    page.get_by_role("link", name="Reply").first.click()
    expect(page.locator("#reply-form")).to_be_visible()

    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert horizontal_overflow(page) <= 0


@pytest.mark.parametrize("path", ["/", "login", "new-poll"])
def test_other_pages_fit_a_phone_without_scrolling_sideways(new_context, poll, path):
    page = new_context(viewport=PHONE).new_page()
    if path == "new-poll":
        user = make_user("trainer-y")
        user.groups.add(Group.objects.get(name="Trainers"))
        log_in(page, "trainer-y", PASSWORD)
        page.goto(reverse("polls:create"))
    elif path == "login":
        page.goto(reverse("login"))
    else:
        page.goto(path)

    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_follow_the_system_scheme(new_context, poll, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(poll.get_absolute_url())

    expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
    background = page.evaluate(
        "() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number)"
    )
    brightness = sum(background[:3]) / 3
    assert (brightness > 200) if scheme == "light" else (brightness < 80), background


def test_scheme_changes_when_the_system_setting_changes(page, poll):
    page.emulate_media(color_scheme="light")
    page.goto(poll.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")

    page.emulate_media(color_scheme="dark")

    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")


def test_result_bars_are_drawn_to_scale(nojs_page, poll):
    nojs_page.goto(poll.get_absolute_url())

    bars = results(nojs_page).locator(".result-bar > span")
    expect(bars).to_have_count(3)
    track = results(nojs_page).locator(".result-bar").first.bounding_box()["width"]
    widths = [bars.nth(i).bounding_box()["width"] for i in range(3)]
    assert widths[0] == pytest.approx(track * 2 / 3, abs=2)
    assert widths[1] == pytest.approx(track / 3, abs=2)
    assert widths[2] == 0


def test_replies_are_indented_along_a_visible_thread_line(page, poll, thread):
    page.goto(poll.get_absolute_url())
    parent = page.locator(f"#comment-{thread['ana'].pk}")
    reply = page.locator(f"#comment-{thread['author_reply'].pk}")

    assert reply.bounding_box()["x"] > parent.bounding_box()["x"] + 8
    line = reply.evaluate(
        """(el) => {
            for (let node = el; node && !node.matches('#comment-list'); node = node.parentElement) {
                const style = getComputedStyle(node);
                if (parseFloat(style.borderLeftWidth) >= 2 && style.borderLeftStyle !== 'none') {
                    return style.borderLeftColor;
                }
            }
            return null;
        }"""
    )
    assert line is not None, "no thread line to the left of the reply"
    assert line not in {"rgba(0, 0, 0, 0)", "transparent"}


def test_the_poll_author_is_marked_as_author_in_the_thread(page, poll, thread):
    page.goto(poll.get_absolute_url())

    author_reply = page.locator(f"#comment-{thread['author_reply'].pk}")
    badge = author_reply.locator(".comment-meta").first.get_by_text("Author", exact=True)
    expect(badge).to_be_visible()
    ana = page.locator(f"#comment-{thread['ana'].pk} > .comment-meta")
    expect(ana.get_by_text("Author", exact=True)).to_have_count(0)
