"""The discussion changes the poll, in the browser: a stance counted in the results, a
reader changing their vote, a second round compared with the first, and the trainer's
debrief with every section. axe and the Nu HTML Checker on each new state."""

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment
from comments.posting import comment_place
from polls import voting
from polls.voters import Voter
from tests.browser.conftest import axe_violations, describe_html_errors, describe_violations
from tests.browser.helpers import results, vote_for
from tests.factories import PASSWORD, make_poll

pytestmark = pytest.mark.browser

CHOICES = ("Learning with and from others", "Social media in a course", "On the job")


@pytest.fixture
def poll(trainer):
    poll = make_poll(
        author=trainer,
        question="How would you define social learning?",
        choices=CHOICES,
        allow_vote_change=True,
    )
    first = poll.choices.first()
    for name, body in [("Ada", "A reading circle is exactly this."), ("Ben", "With others.")]:
        comment_place(poll=poll, name=name, body=body, status=Comment.Status.APPROVED, stance=first)
    return poll


def accessible(page: Page, nu_checker, problems: list[str]) -> None:
    """axe on the live page, Nu on what the server sends for its address now."""
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe on {page.url}:\n{describe_violations(violations)}")
    errors = nu_checker.errors(page.context.request.get(page.url).text())
    if errors:
        problems.append(f"Nu on {page.url}:\n{describe_html_errors(errors)}")


def test_a_changed_vote_a_second_round_and_the_debrief(
    new_context, axe_source, poll, nu_checker, tmp_path
):
    problems: list[str] = []
    reader = new_context(bypass_csp=True).new_page()  # bypass_csp: to inject axe-core
    reader.goto(poll.get_absolute_url())
    vote_for(reader, CHOICES[0])
    expect(results(reader).locator(".result-total")).to_have_text("1 vote")
    supporters = results(reader).get_by_role("link", name=f"2 comments supporting “{CHOICES[0]}”")
    expect(supporters).to_be_visible()

    vote_for(reader, CHOICES[1])  # reader A changes their mind
    expect(results(reader).locator(".changes-total")).to_have_text("1 changed their vote.")
    table = results(reader).locator(".changes-table")
    expect(table.locator("tbody tr")).to_have_text(f"{CHOICES[0]}{CHOICES[1]}1")
    accessible(reader, nu_checker, problems)

    supporters.click()  # the thread, filtered by that stance
    expect(reader.locator(".stance-filter")).to_contain_text("Showing the 2 comments supporting")
    expect(reader.locator("#comment-list article")).to_have_count(2)
    accessible(reader, nu_checker, problems)

    trainer = new_context(java_script_enabled=False).new_page()
    log_in_without_js(trainer)
    trainer.goto(poll.get_absolute_url())
    trainer.get_by_role("button", name="Vote again").click()
    expect(trainer.get_by_role("status").filter(has_text="Round 2 has started")).to_be_visible()

    for name, first, then in [("r2-a", 0, 1), ("r2-b", 1, 2)]:  # two others change in round 2
        other = Voter(key=f"anon:{name}", anonymous_id=name)
        voting.ballot_cast(poll=poll_now(poll), voter=other, choice_ids=[choice(poll, first)])
        voting.ballot_cast(poll=poll_now(poll), voter=other, choice_ids=[choice(poll, then)])
    reader.goto(poll.get_absolute_url())
    vote_for(reader, CHOICES[2])
    expect(results(reader).locator(".changes-total")).to_have_text(
        "2 changed their vote in this round."
    )
    expect(results(reader).get_by_role("img", name="Flow of changed votes")).to_be_visible()
    rounds = results(reader).locator(".rounds-table")
    expect(rounds.locator("thead th")).to_have_text(["Choice", "Round 1", "Round 2 (now)"])
    second, third = rounds.locator("tbody tr").nth(1), rounds.locator("tbody tr").nth(2)
    expect(second.locator("th")).to_have_text(CHOICES[1])
    expect(second.locator("td")).to_have_text(["1 · 100%", "1 · 33%"])
    expect(third.locator("td")).to_have_text(["0 · 0%", "2 · 67%"])
    accessible(reader, nu_checker, problems)

    trainer.goto(poll.get_absolute_url())
    with trainer.expect_download() as download:
        trainer.get_by_role("link", name="Download debrief (Markdown)").click()
    text = _saved(download.value, tmp_path)
    for section in (
        "# Debrief: How would you define social learning?",
        "## Results, round 1",
        "## Results, round 2",
        "Minds changed: 1 voter changed their vote.",
        f"| {CHOICES[0]} | {CHOICES[1]} | 1 |",
        "## Alternative definitions",
        "## Added to the poll",
        f"- **{CHOICES[0]}**: 2 supporting comments. The first, by Ada:",
    ):
        assert section in text, section
    with trainer.expect_download() as download:
        trainer.get_by_role("link", name="Download debrief (CSV)").click()
    assert _saved(download.value, tmp_path).startswith("Debrief,How would you define")
    assert problems == [], "\n\n".join(problems)


def poll_now(poll):
    return type(poll).objects.get(pk=poll.pk)


def choice(poll, index: int) -> int:
    return list(poll.choices.values_list("pk", flat=True))[index]


def _saved(download, tmp_path) -> str:
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target.read_text(encoding="utf-8")


def log_in_without_js(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
