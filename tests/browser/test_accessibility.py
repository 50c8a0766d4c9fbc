"""axe-core finds no serious or critical problem, and the Nu HTML Checker no error, on the
pages people use: each page in the state a person sees it.

Every scenario leaves the browser on the page (for axe, which checks the live DOM, after
any htmx swap) and returns the HTML the server sent for it (for the Nu checker).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from comments.models import Comment
from comments.posting import comment_place
from tests.browser.conftest import (
    check_scenario_with_axe,
    check_scenario_with_nu,
)
from tests.browser.helpers import log_in, results, vote_for
from tests.comments.helpers import add
from tests.factories import PASSWORD, make_poll, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def poll():
    return make_poll(
        question="How would you define social learning?",
        intro="Some say it is *learning with others*; others mean **social media** in a course.",
        choices=("Learning with and from others", "Social media in a course", "Something else"),
    )


def served(page: Page, url: str) -> str:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return response.text()


def home(page, poll):
    return served(page, "/")


def poll_before_voting(page, poll):
    return served(page, poll.get_absolute_url())


def poll_after_voting(page, poll):
    page.goto(poll.get_absolute_url())
    vote_for(page, "Social media in a course")
    expect(results(page).locator(".result-total")).to_have_text("1 vote")
    return page.context.request.get(poll.get_absolute_url()).text()


def poll_after_voting_without_javascript(page, poll):
    page.goto(poll.get_absolute_url())
    page.get_by_label("Something else", exact=True).check()
    with page.expect_navigation() as navigation:
        page.evaluate("() => document.querySelector('form.vote-form').submit()")
    expect(page.get_by_role("status").filter(has_text="Thanks for voting")).to_be_visible()
    return navigation.value.text()


def poll_in_dark_mode(page, poll):
    page.emulate_media(color_scheme="dark")
    html = served(page, poll.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    return html


def login_page(page, poll):
    return served(page, reverse("login"))


def login_with_wrong_password(page, poll):
    make_user("reader")
    page.goto(reverse("login"))
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Log in").click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    return navigation.value.text()


def signup_with_errors(page, poll):
    page.goto(reverse("signup"))
    page.get_by_label("Email").fill("not an address")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create account").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    return navigation.value.text()


def new_poll_form(page, poll):
    trainer = make_user("trainer-x")
    from django.contrib.auth.models import Group

    trainer.groups.add(Group.objects.get(name="Trainers"))
    log_in(page, "trainer-x", PASSWORD)
    return served(page, reverse("polls:create"))


def with_thread(poll) -> Comment:
    """A discussion with a nested thread: a comment, the author's reply, a reply to that."""
    approved = Comment.Status.APPROVED
    ana = add(
        poll,
        name="Ana",
        email="ana@example.com",
        website="https://ana.example.com/",
        body="Something else altogether:\n\n- learning *through* a community\n- over time",
        status=approved,
    )
    author = comment_place(
        poll=poll, parent=ana, name="Trainer", user=poll.author, body="Say more?", status=approved
    )
    comment_place(poll=poll, parent=author, name="Ben", body="Agreed with Ana.", status=approved)
    comment_place(
        poll=poll, parent=None, name="Cy", body="See https://example.org/cop", status=approved
    )
    return ana


def poll_with_nested_thread(page, poll):
    with_thread(poll)
    html = served(page, poll.get_absolute_url())
    expect(page.locator("article.comment article.comment article.comment")).to_have_count(1)
    return html


def reply_form_opened_in_place(page, poll):
    ana = with_thread(poll)
    page.goto(poll.get_absolute_url())
    page.locator(f"#comment-{ana.pk}").get_by_role("link", name="Reply").first.click()
    expect(page.locator(f"#comment-{ana.pk} #reply-form")).to_be_visible()
    return page.context.request.get(f"{poll.get_absolute_url()}?reply_to={ana.pk}").text()


def comment_form_with_errors(page, poll):
    with_thread(poll)
    page.goto(poll.get_absolute_url())
    form = page.locator("#comment-form")
    form.get_by_label("Email").fill("not an address")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form .invalid-feedback").first).to_be_visible()
    # The same form sent without JavaScript: the page the server answers with.
    fields = form.evaluate("f => Object.fromEntries(new FormData(f))")
    response = page.context.request.post(
        form.get_attribute("action"), form=fields, headers={"Referer": page.url}
    )
    assert response.status == 400, response.status
    assert "Enter a valid email address." in response.text()
    return response.text()


def page_not_found(page, poll):
    response = page.goto("/polls/no-such-poll/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    return response.text()


def _trainer_of(page, poll) -> None:
    """Log in as the poll's trainer, with comments awaiting review and a closed poll too."""
    from django.contrib.auth.models import Group

    from polls import lifecycle

    trainer = make_user("trainer-q", first_name="Morgan", last_name="Reyes")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    poll.author = trainer
    poll.save()
    for name in ("Quinn", "Ravi"):
        comment_place(poll=poll, parent=None, name=name, body="Held *here*", status="pending")
    comment_place(poll=poll, parent=None, name="Bea", body="Published", status="approved")
    lifecycle.poll_close(poll=make_poll(author=trainer, question="Closed one?"))
    make_poll(author=trainer, question="A draft?", status="draft", published_at=None)
    log_in(page, "trainer-q", PASSWORD)


def trainer_queue(page, poll):
    _trainer_of(page, poll)
    html = served(page, poll.get_absolute_url())
    expect(page.locator("#review-queue")).to_contain_text("Awaiting your review")
    return html


def trainer_queue_after_htmx_approve(page, poll):
    html = trainer_queue(page, poll)
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    page.locator("#review-queue button[value=approve]").first.click()
    expect(page.locator("#review-queue [role=status]")).to_contain_text("Approved")
    return html


def my_polls(page, poll):
    _trainer_of(page, poll)
    html = served(page, reverse("polls:mine"))
    expect(page.locator("table")).to_contain_text("2 to review")
    return html


def my_polls_close_dialog(page, poll):
    html = my_polls(page, poll)
    page.locator("a[data-confirm^=confirm-close]").first.click()
    expect(page.locator("dialog[open]")).to_be_visible()
    return html


def home_for_a_trainer(page, poll):
    _trainer_of(page, poll)
    return served(page, "/")


def close_confirmation_page(page, poll):
    _trainer_of(page, poll)
    return served(page, reverse("polls:close", args=[poll.slug]))


def time_zone_page(page, poll):
    _trainer_of(page, poll)
    return served(page, reverse("time_zone"))


def profile_with_an_error(page, poll):
    make_user("reader")
    log_in(page, "reader", PASSWORD)
    page.goto(reverse("profile"))
    page.get_by_label("Website").fill("not a web address")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    return navigation.value.text()


SCENARIOS = [
    home,
    poll_before_voting,
    poll_after_voting,
    poll_after_voting_without_javascript,
    poll_in_dark_mode,
    poll_with_nested_thread,
    reply_form_opened_in_place,
    comment_form_with_errors,
    login_page,
    login_with_wrong_password,
    signup_with_errors,
    new_poll_form,
    page_not_found,
    trainer_queue,
    trainer_queue_after_htmx_approve,
    my_polls,
    my_polls_close_dialog,
    home_for_a_trainer,
    close_confirmation_page,
    time_zone_page,
    profile_with_an_error,
]


# The HTML each scenario's server answer had, kept from the axe run so that the Nu check
# (run later in the session) need not walk through the scenario a second time.
SERVED: dict[str, tuple[str, str]] = {}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_axe_finds_no_serious_or_critical_violation(a11y_page, poll, scenario):
    check_scenario_with_axe(a11y_page, poll, scenario, SERVED)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_nu_html_checker_finds_no_error(request, nu_checker, scenario):
    check_scenario_with_nu(request, nu_checker, scenario, SERVED)
