"""The discussion changes the poll, in the browser: a trainer writes a poll with a
write-in, reader A votes "something else" and proposes a definition, reader B agrees with it
once it is approved, the trainer adds it as a choice, and reader C votes for it. Each new
state of the page passes axe (no serious or critical violation) and the Nu HTML Checker."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comments import moderation
from comments.models import Comment
from polls.models import Ballot, Choice
from tests.browser.conftest import axe_violations, describe_html_errors, describe_violations
from tests.browser.helpers import log_in, results, vote_for, wait_for_htmx
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

QUESTION = "How would you define social learning?"
AGREE = re.compile(r"^Agree")
DEFINITION = "Learning with and from others in a reading circle"


@pytest.fixture(autouse=True)
def _people_type_at_machine_speed(settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    # No live-results refresh dimming the results while axe measures their contrast.
    settings.POLLS_RESULTS_REFRESH_SECONDS = 3600


def check_page(page, nu_checker, state: str) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    # The document as it is now (after htmx swaps), less axe-core's own injected script.
    page.evaluate(
        "() => document.querySelectorAll('script:not([src]):not([nonce])').forEach(s => s.remove())"
    )
    errors = nu_checker.errors(page.content())
    assert errors == [], f"Nu, {state}:\n{describe_html_errors(errors)}"
    violations = axe_violations(page)
    assert violations == [], f"axe, {state}:\n{describe_violations(violations)}"


def create_write_in_poll(page, *, needs_definition: bool = False, vote_change: bool = False) -> str:
    log_in(page, "morgan", PASSWORD)
    page.get_by_role("link", name="New poll").click()
    page.get_by_label("Question").fill(QUESTION)
    page.get_by_label("Choice 1", exact=True).fill("Learning by watching others")
    page.get_by_label("Choice 2", exact=True).fill("Learning in groups")
    page.get_by_label("Let voters propose their own definition").check()
    if vote_change:
        page.get_by_label("Voters may change their vote while the poll is open").check()
    if needs_definition:
        page.get_by_label(
            "A vote for “Something else” counts only with the voter's definition"
        ).check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    return page.url


def test_a_definition_from_the_discussion_becomes_a_choice(new_context, trainer, nu_checker):
    trainer_page = new_context(bypass_csp=True).new_page()
    poll_url = create_write_in_poll(trainer_page, vote_change=True)
    expect(trainer_page.get_by_label("Something else")).to_be_visible()
    # The poll was written an hour ago: choices written with the poll (within seconds of
    # each other) are never "new" to a voter, and this story takes seconds, not an hour.
    Choice.objects.update(created_at=timezone.now() - timedelta(hours=1))

    # Reader A votes "something else": the composer opens in place.
    a = new_context(bypass_csp=True).new_page()
    a.goto(poll_url)
    wait_for_htmx(a)
    vote_for(a, "Something else (propose your own definition)")
    composer = a.locator("#definition-composer")
    expect(composer.get_by_label("Your definition")).to_be_visible()
    check_page(a, nu_checker, "composer open")
    composer.get_by_label("Your definition").fill(DEFINITION)
    composer.get_by_label("Name").fill("Dana")
    composer.get_by_label("Email").fill("dana@example.com")
    composer.get_by_role("button", name="Post definition").click()
    expect(composer.get_by_role("status")).to_contain_text("awaiting moderation")
    check_page(a, nu_checker, "definition awaiting moderation")

    # A moderator approves it; reader B sees it and agrees.
    alt = Comment.objects.get(is_alternative=True)
    moderation.comment_approve(comment=alt, actor=trainer)
    b = new_context(bypass_csp=True).new_page()
    b.goto(poll_url)
    wait_for_htmx(b)
    item = b.locator(f"#alternative-{alt.pk}")
    expect(item).to_contain_text(DEFINITION)
    expect(b.locator(f"#comment-{alt.pk}")).to_contain_text("Alternative definition")
    item.get_by_role("button", name=AGREE).click()
    item = b.locator(f"#alternative-{alt.pk}")
    expect(item.get_by_role("button", name=AGREE)).to_have_attribute("aria-pressed", "true")
    expect(item.locator(".agree-count")).to_have_text("1")
    check_page(b, nu_checker, "agreed")

    # The trainer adds it as a choice.
    trainer_page.reload()
    trainer_page.locator(f"#alternative-{alt.pk}").get_by_role(
        "button", name="Add as a choice"
    ).click()
    expect(trainer_page.locator("#messages")).to_contain_text("is now a choice of the poll")
    expect(trainer_page.locator(f"#comment-{alt.pk}")).to_contain_text("Added to the poll")
    check_page(trainer_page, nu_checker, "promoted, trainer's view")

    # Reader C sees the credited choice and votes for it.
    c = new_context(bypass_csp=True).new_page()
    c.goto(poll_url)
    credit = c.locator(".choice-credit")
    expect(credit).to_contain_text("suggested by Dana")
    expect(credit.get_by_role("link", name="Dana")).to_have_attribute(
        "href", f"/comments/{alt.pk}/#comment-{alt.pk}"
    )
    check_page(c, nu_checker, "credited choice")
    wait_for_htmx(c)
    vote_for(c, DEFINITION)
    expect(c.get_by_role("status").filter(has_text="Thanks for voting")).to_be_visible()
    row = results(c).locator(".result-row", has_text=DEFINITION)
    expect(row).to_contain_text("1 vote")

    # Reader A, back on the page, is told about the new choice and moves their vote to it;
    # the results show the credited choice, the changed vote and B's agreement together.
    a.reload()
    wait_for_htmx(a)
    expect(a.locator(".new-choice")).to_contain_text(
        f"A new definition was added: {DEFINITION}. You may change your vote."
    )
    vote_for(a, DEFINITION)
    expect(a.get_by_role("status").filter(has_text="Your vote was changed")).to_be_visible()
    a.reload()
    row = results(a).locator(".result-row", has_text=DEFINITION)
    expect(row).to_contain_text("2 votes")
    expect(results(a).locator(".changes-total")).to_contain_text("1 changed their vote")
    expect(a.locator(".choice-credit")).to_contain_text("suggested by Dana")
    expect(a.locator(f"#alternative-{alt.pk} .agree-count")).to_have_text("1")
    check_page(a, nu_checker, "vote moved to the new choice")


def test_without_javascript_the_composer_is_on_the_next_page(new_context, trainer):
    page = new_context(bypass_csp=True).new_page()
    poll_url = create_write_in_poll(page)
    reader = new_context(java_script_enabled=False).new_page()
    reader.goto(poll_url)
    vote_for(reader, "Something else (propose your own definition)")
    composer = reader.locator("#definition-composer")
    composer.get_by_label("Your definition").fill(DEFINITION)
    composer.get_by_label("Name").fill("Eli")
    composer.get_by_label("Email").fill("eli@example.com")
    composer.get_by_role("button", name="Post definition").click()
    expect(reader.locator("#messages")).to_contain_text("Your definition is awaiting moderation")
    expect(reader.locator("#definition-composer")).to_contain_text("Awaiting moderation")
    assert Comment.objects.get().is_alternative


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_vote_for_something_else_counts_once_the_definition_is_posted(
    new_context, trainer, javascript
):
    poll_url = create_write_in_poll(
        new_context(java_script_enabled=javascript).new_page(), needs_definition=True
    )

    reader = new_context(java_script_enabled=javascript).new_page()
    reader.goto(poll_url)
    if javascript:
        wait_for_htmx(reader)
    vote_for(reader, "Something else (propose your own definition)")
    composer = reader.locator("#definition-composer")
    expect(composer).to_contain_text("counts once you post your definition")
    assert Ballot.objects.count() == 0
    composer.get_by_label("Your definition").fill(DEFINITION)
    composer.get_by_label("Name").fill("Dana")
    composer.get_by_label("Email").fill("dana@example.com")
    composer.get_by_role("button", name="Post definition").click()
    expect(reader.get_by_role("status").filter(has_text="Thanks for voting!")).to_be_visible()
    expect(reader.get_by_text("You voted for")).to_contain_text("Something else")
    assert Ballot.objects.count() == 1


def test_a_slowed_answer_says_why_in_place_in_debug_as_in_production(
    new_context, settings, trainer
):
    """A room behind one address answering faster than the limit: the reader sees why, in
    the definition's row, and the page stays (DEBUG's error overlay does not take it)."""
    from comments.posting import comment_place
    from tests.factories import make_poll

    settings.DEBUG = True
    settings.POLLS_VOTE_RATE_LIMIT = 1
    poll = make_poll(question=QUESTION, author=trainer, write_in=True)
    alt = comment_place(
        poll=poll, parent=None, name="Ada", body=DEFINITION, is_alternative=True,
        status=Comment.Status.APPROVED,
    )  # fmt: skip
    page = new_context().new_page()
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    item = page.locator(f"#alternative-{alt.pk}")
    item.get_by_role("button", name=AGREE).click()
    expect(item.locator(".agree-count")).to_have_text("1")
    item.get_by_role("button", name=re.compile(r"^Disagree")).click()
    expect(item.get_by_role("status")).to_contain_text(
        "Too many answers from your network just now."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    expect(item.locator(".agree-count")).to_have_text("1")
