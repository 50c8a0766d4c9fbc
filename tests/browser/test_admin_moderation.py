"""Moderators in the admin: buttons on a comment's page, a queue that fits the screen, and
how many comments wait, shown where staff look."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from comments.models import Comment, ModerationEvent
from comments.posting import comment_place
from tests.factories import PASSWORD, make_poll, make_user

pytestmark = pytest.mark.browser

LONG_QUESTION = "How would you define social learning when " + "people learn together " * 6


@pytest.fixture
def poll():
    return make_poll(question=LONG_QUESTION)


def held(poll, body: str, *, name: str = "Ana", reasons=("First comment from this browser",)):
    return comment_place(
        poll=poll,
        parent=None,
        name=name,
        email="ana@example.com",
        body=body,
        status=Comment.Status.PENDING,
        reasons=list(reasons),
    )


def moderator(username: str = "moderator"):
    user = make_user(username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="comments"))
    return user


def admin_log_in(page, username: str) -> None:
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize(
    ("button", "status", "said"),
    [
        ("Approve", Comment.Status.APPROVED, "approved"),
        ("Spam", Comment.Status.SPAM, "marked as spam"),
        ("Remove", Comment.Status.REMOVED, "removed"),
    ],
)
def test_moderator_acts_from_the_comment_page(new_context, poll, button, status, said):
    comment = held(poll, "Learning through a community.")
    user = moderator()
    page = new_context().new_page()
    admin_log_in(page, "moderator")
    page.goto(f"/admin/comments/comment/{comment.pk}/change/")

    page.get_by_role("button", name=button, exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text(f"The comment by Ana is {said}.")
    assert page.url.endswith("/admin/comments/comment/")  # back to the queue
    comment.refresh_from_db()
    assert comment.status == status
    event = ModerationEvent.objects.filter(comment=comment).latest("pk")
    assert (event.actor, event.to_status) == (user, status)


def test_comment_page_offers_no_button_for_the_status_it_has(new_context, poll):
    comment = held(poll, "Learning through a community.")
    moderator()
    page = new_context().new_page()
    admin_log_in(page, "moderator")
    page.goto(f"/admin/comments/comment/{comment.pk}/change/")
    page.get_by_role("button", name="Approve", exact=True).click()

    page.goto(f"/admin/comments/comment/{comment.pk}/change/")

    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Spam", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Remove", exact=True)).to_be_visible()


def test_pending_count_on_the_admin_index_and_in_the_site_navigation(new_context, poll):
    held(poll, "One.")
    held(poll, "Two.")
    comment_place(
        poll=poll,
        parent=None,
        name="Ben",
        email="b@example.com",
        body="Three.",
        status=Comment.Status.APPROVED,
    )
    moderator()
    page = new_context().new_page()
    admin_log_in(page, "moderator")

    expect(page.locator("#content")).to_contain_text("2 comments awaiting moderation")
    page.goto("/")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation")
    expect(link).to_contain_text("2")
    link.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)

    # Staff who may not moderate, and readers, see no count.
    make_user("clerk", is_staff=True)
    for username in ("clerk", None):
        other = new_context().new_page()
        if username:
            admin_log_in(other, username)
        other.goto(poll.get_absolute_url())
        expect(other.get_by_role("link", name="Moderation")).to_have_count(0)


def _sideways(page) -> dict:
    return page.evaluate(
        """() => {
            const results = document.querySelector('#changelist .results');
            return {page: document.documentElement.scrollWidth - window.innerWidth,
                    list: results.scrollWidth - results.clientWidth};
        }"""
    )


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_moderation_queue_fits_the_screen_without_scrolling_sideways(new_context, poll, viewport):
    for number in range(3):
        held(
            poll,
            f"Comment {number}: " + "a long comment about communities of practice " * 8,
            name="Someone-with-a-very-long-unbroken-name-" * 2,
            reasons=["First comment from this browser", "More than 2 links", "Held words"],
        )
    moderator()
    page = new_context(viewport=viewport).new_page()
    admin_log_in(page, "moderator")
    page.goto("/admin/comments/comment/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)

    assert _sideways(page) == {"page": 0, "list": 0}
    # Cut texts keep their whole wording in a title.
    poll_cell = page.locator("#result_list tbody tr").first.locator("td.field-poll_text span")
    expect(poll_cell).to_have_attribute("title", LONG_QUESTION)
