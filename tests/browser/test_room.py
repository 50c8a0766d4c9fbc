"""The workshop room in a browser: the presenter view, joining by code, live totals, reveal."""

import pytest
from playwright.sync_api import Page, expect

from polls import lifecycle
from tests.browser.conftest import axe_violations, describe_html_errors, describe_violations
from tests.browser.helpers import log_in, marker_survived, plant_marker, results, vote_for
from tests.factories import PASSWORD, make_poll, voter_client

pytestmark = pytest.mark.browser

EIGHT = (
    "Learning with and from other people, online or in the room",
    "Social media used in a course",
    "Learning on the job from colleagues",
    "Communities of practice",
    "Peer review and feedback",
    "Discussion forums",
    "Group projects",
    "Something else entirely",
)


@pytest.fixture
def room_poll(trainer):
    return make_poll(
        author=trainer, question="How would you define social learning?", choices=EIGHT
    )


def presenter(new_context, poll, **options) -> Page:
    page = new_context(**options).new_page()
    log_in(page, poll.author.get_username(), PASSWORD)
    page.goto(f"/polls/{poll.slug}/present/")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    return page


def phone(new_context) -> Page:
    return new_context(viewport={"width": 390, "height": 844}).new_page()


def test_a_vote_from_a_joined_phone_shows_on_the_presenter_within_3_s(new_context, room_poll):
    screen = presenter(new_context, room_poll)
    total = screen.locator("#present-total")
    expect(total).to_have_text("0 votes")
    plant_marker(screen)

    voter = phone(new_context)
    code = screen.locator(".present-join-code .join-code").inner_text()
    voter.goto(f"/j/{code.lower()}")
    expect(voter.locator("h1")).to_have_text(room_poll.question)
    vote_for(voter, "Group projects")
    expect(voter.get_by_role("status").filter(has_text="Thanks for voting")).to_be_visible()

    expect(total).to_have_text("1 vote", timeout=3_000)
    assert marker_survived(screen), "the presenter view reloaded"


def test_hidden_results_reach_the_reader_once_the_trainer_presses_r(new_context, room_poll):
    lifecycle.poll_reveal(poll=room_poll, show=False)
    screen = presenter(new_context, room_poll)
    expect(screen.get_by_text("Results are hidden from the room")).to_be_visible()

    reader = phone(new_context)
    reader.goto(room_poll.get_absolute_url())
    reader.wait_for_function("() => typeof window.htmx !== 'undefined'")
    vote_for(reader, "Discussion forums")
    expect(reader.locator(".your-vote")).to_contain_text("Discussion forums")
    expect(results(reader)).to_contain_text("The trainer will show the results")
    expect(results(reader)).not_to_contain_text("%")
    plant_marker(reader)

    screen.keyboard.press("r")
    expect(screen.get_by_role("button", name="Hide results")).to_be_visible()
    expect(screen.locator(".present-bars")).to_contain_text("1 vote · 100%")

    expect(results(reader).locator(".result-total")).to_have_text("1 vote", timeout=5_000)
    expect(results(reader)).to_contain_text("Discussion forums")
    assert marker_survived(reader), "the reader's page reloaded"


def test_the_reveal_button_works_without_javascript(new_context, room_poll):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, room_poll.author.get_username(), PASSWORD)
    page.goto(f"/polls/{room_poll.slug}/present/")
    page.get_by_role("button", name="Hide results").click()
    expect(page.get_by_role("button", name="Show results")).to_be_visible()
    expect(page.get_by_text("Results are hidden from the room")).to_be_visible()
    expect(page.get_by_text("to show them")).to_be_hidden()  # no R key without a script


def test_q_hides_the_qr_code_and_f_asks_for_full_screen(new_context, room_poll):
    screen = presenter(new_context, room_poll)
    qr = screen.get_by_role("img", name="QR code")
    expect(qr).to_be_visible()
    screen.keyboard.press("q")
    expect(qr).to_be_hidden()
    expect(screen.get_by_role("button", name="Show QR")).to_have_attribute("aria-expanded", "false")
    screen.keyboard.press("q")
    expect(qr).to_be_visible()
    screen.keyboard.press("f")
    screen.wait_for_function("() => document.fullscreenElement !== null")


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_eight_choices_fit_the_projector_without_scrolling(new_context, room_poll, size):
    for index, text in enumerate(EIGHT):  # votes on every choice: every bar drawn
        for _ in range(index + 1):
            voter_client().post(
                f"/polls/{room_poll.slug}/vote/",
                {"choice": room_poll.choices.get(text=text).pk},
            )
    width, height = size
    screen = presenter(new_context, room_poll, viewport={"width": width, "height": height})
    expect(screen.locator(".present-row")).to_have_count(8)
    expect(screen.locator("#present-total")).to_have_text("36 votes")
    fits = screen.evaluate(
        "() => ({scroll: document.documentElement.scrollHeight, inner: window.innerHeight,"
        " wide: document.documentElement.scrollWidth, width: window.innerWidth})"
    )
    assert fits["scroll"] <= fits["inner"], fits
    assert fits["wide"] <= fits["width"], fits
    for locator in (screen.locator("h1"), screen.get_by_role("img", name="QR code")):
        box = locator.bounding_box()
        assert box and box["y"] + box["height"] <= height


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_presenter_view_passes_axe_and_the_nu_checker(
    new_context, room_poll, axe_source, nu_checker, scheme
):
    screen = presenter(new_context, room_poll, bypass_csp=True, color_scheme=scheme)
    expect(screen.locator(".present-row")).to_have_count(8)
    expect(screen.get_by_role("button", name="Full screen")).to_be_visible()
    violations = axe_violations(screen)
    assert violations == [], describe_violations(violations)
    html = screen.context.request.get(f"/polls/{room_poll.slug}/present/").text()
    errors = nu_checker.errors(html)
    assert errors == [], describe_html_errors(errors)
