"""axe-core (no serious or critical problem) and the Nu HTML Checker (no error) on the
pages of joining, sharing and embedding: the embed in both of its modes, after a vote in
it, and the trainer's poll page with the embed snippet. The poll page's share block is
checked with the poll page in test_accessibility.py."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from tests.browser.blog import blog_post, blog_server  # noqa: F401  (the `blog` fixture)
from tests.browser.conftest import (
    axe_violations,
    check_scenario_with_axe,
    check_scenario_with_nu,
    describe_html_errors,
    describe_violations,
)
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, make_poll, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def poll(settings):
    settings.SOCIALPOLL_EMBED_ORIGINS = ["https://blog.example.org"]
    return make_poll(
        question="How would you define social learning?",
        intro="Some say it is *learning with others*; others mean **social media**.",
        choices=("Learning with and from others", "Social media in a course", "Something else"),
    )


def served(page: Page, url: str) -> str:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return response.text()


def embed(page, poll):
    html = served(page, f"/polls/{poll.slug}/embed/")
    expect(page.get_by_role("button", name="Vote", exact=True)).to_be_visible()
    return html


def embed_after_voting(page, poll):
    page.goto(f"/polls/{poll.slug}/embed/")
    page.get_by_label("Social media in a course").check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Vote", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("Thanks for voting")
    return navigation.value.text()


def trainer_poll_page(page, poll):
    trainer = make_user("trainer-share")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    mine = make_poll(author=trainer, question="What is a community of practice?")
    log_in(page, "trainer-share", PASSWORD)
    html = served(page, mine.get_absolute_url())
    expect(page.get_by_label("Embed this poll in a blog post (HTML)")).to_be_visible()
    return html


def poll_page_on_a_phone(page, poll):
    page.set_viewport_size({"width": 390, "height": 844})
    long_intro = make_poll(question="A long one?", intro="A sentence of the intro. " * 40)
    html = served(page, long_intro.get_absolute_url())
    page.get_by_text("Read the intro").click()
    return html


def join_code_not_found(page, poll):
    response = page.goto("/j/ZZZZ22")
    assert response is not None and response.status == 404
    expect(page.get_by_label("Join code")).to_have_value("ZZZZ22")
    return response.text()


SCENARIOS = [
    embed,
    embed_after_voting,
    trainer_poll_page,
    poll_page_on_a_phone,
    join_code_not_found,
]
SERVED: dict[str, tuple[str, str]] = {}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_axe_finds_no_serious_or_critical_violation(a11y_page, poll, scenario):
    check_scenario_with_axe(a11y_page, poll, scenario, SERVED)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_nu_html_checker_finds_no_error(request, nu_checker, scenario):
    check_scenario_with_nu(request, nu_checker, scenario, SERVED)


def test_the_embed_framed_by_another_site_passes_both_checkers(
    a11y_page, nu_checker, poll, settings, blog, live_server
):
    settings.SOCIALPOLL_EMBED_ORIGINS = [f"http://127.0.0.1:{blog}"]
    embed_url = f"{live_server.url}/polls/{poll.slug}/embed/"
    with a11y_page.expect_response(embed_url) as answer:
        a11y_page.goto(blog_post(blog, "127.0.0.1", embed_url))
    frame = a11y_page.frames[1]
    expect(frame.get_by_role("button", name="Vote in a new tab")).to_be_visible()

    violations = axe_violations(frame)
    errors = nu_checker.errors(answer.value.text())

    assert violations == [], describe_violations(violations)
    assert errors == [], describe_html_errors(errors)
