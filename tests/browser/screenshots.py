"""Screenshots for the README: not part of the suite (the name does not start with test_).

    .venv/bin/pytest tests/browser/screenshots.py -p no:cacheprovider

writes docs/screenshot-poll.png (the demo poll after a vote, light scheme, the top of the
page) and
docs/screenshot-poll-phone-dark.png (its results on a 375-px phone, dark scheme),
docs/img/presenter.png (the demo poll's presenter view on a 1280x720 projector, results shown),
and docs/img/home-desktop.png and docs/img/home-phone.png (the home page of a season of
workshops at 1280x800 and 390x844).
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.helpers import results, vote_for

DOCS = Path(__file__).resolve().parents[2] / "docs"
DEMO_URL = "/polls/how-would-you-define-social-learning/"


@pytest.fixture
def demo():
    call_command("load_demo", force=True, verbosity=0)


def voted_demo_page(new_context, **options):
    page = new_context(**options).new_page()
    page.goto(DEMO_URL)
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    vote_for(page, "Learning with and from other people, online or in the room")
    expect(results(page).locator(".result-total")).to_contain_text("votes")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    return page


def test_screenshot_poll_page(new_context, demo):
    page = voted_demo_page(new_context, viewport={"width": 1200, "height": 1500})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "screenshot-poll.png"))


def test_screenshot_poll_page_on_a_dark_phone(new_context, demo):
    page = voted_demo_page(new_context, viewport={"width": 375, "height": 812}, color_scheme="dark")
    results(page).scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "screenshot-poll-phone-dark.png"))


def test_screenshot_presenter_view(new_context, demo):
    from tests.browser.helpers import log_in

    voted_demo_page(new_context, viewport={"width": 390, "height": 844})
    page = new_context(viewport={"width": 1280, "height": 720}).new_page()
    log_in(page, "trainer", "socialpoll-demo")  # the demo's trainer (polls/demo.py)
    page.goto(DEMO_URL + "present/")
    expect(page.locator("#present-total")).to_contain_text("votes")
    expect(page.locator(".present-row").first).to_be_visible()
    page.wait_for_timeout(700)  # the bars' width transition (.6 s) ends: a still picture
    (DOCS / "img").mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "img" / "presenter.png"))


def workshop_home() -> None:
    """A home page as a trainer's site looks mid-season: polls open and closed, with votes
    and discussions, results public on some and kept until the vote on others."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from comments.posting import comment_place
    from polls import lifecycle
    from polls.models import Poll
    from tests.factories import make_ballots, make_poll, make_user

    morgan = make_user("morgan", first_name="Morgan", last_name="Reyes")
    morgan.groups.add(Group.objects.get(name="Trainers"))
    sam = make_user("sam", first_name="Sam", last_name="Okafor")
    always, after_vote = Poll.ResultsVisibility.ALWAYS, Poll.ResultsVisibility.AFTER_VOTE
    soon = timezone.now() + timedelta(days=2)
    specs = [
        ("How would you define social learning?", morgan, always, (31, 12, 7, 3), 6, soon),
        ("What makes feedback useful?", sam, always, (18, 22, 5), 4, None),
        ("Which word best describes a “flipped classroom”?", morgan, after_vote, (9, 4), 2, None),
        ("What is a learning objective, really?", sam, always, (0, 0, 0), 0, None),
        ("How would you define blended learning?", morgan, always, (14, 40, 6), 9, None),
        ("What counts as assessment?", sam, after_vote, (11, 8, 3), 3, None),
    ]
    choices = {
        0: (
            "Learning with and from others",
            "Social media in a course",
            "Watching others",
            "Something else",
        ),
        1: ("It is specific", "It comes in time to act on it", "It is kind"),
        2: ("Inverted", "Homework first"),
        3: ("What learners will be able to do", "A topic list", "A test item"),
        4: ("Online plus face to face", "Learners choose the path", "Any mix of media"),
        5: ("Anything graded", "Evidence of learning", "Feedback loops"),
    }
    for index, (question, author, rule, votes, comments, closes) in enumerate(specs):
        poll = make_poll(
            question=question,
            author=author,
            choices=choices[index],
            results_visibility=rule,
            closes_at=closes,
            published_at=timezone.now() - timedelta(hours=index),
        )
        for choice, count in zip(poll.choices.all(), votes, strict=False):
            make_ballots(poll, count, choice=choice)
        for n in range(comments):
            comment_place(
                poll=poll, parent=None, name=f"Reader {n}", body="Good point.", status="approved"
            )
        if index >= 4:
            lifecycle.poll_close(poll=poll)
    make_poll(
        question="Define “learning culture” for our March cohort",
        author=morgan,
        status=Poll.Status.DRAFT,
        published_at=None,
    )


@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        ("home-desktop", {"width": 1280, "height": 800}),
        ("home-phone", {"width": 390, "height": 844}),
    ],
)
def test_screenshot_home(new_context, name, viewport):
    workshop_home()
    page = new_context(viewport=viewport).new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    (DOCS / "img").mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "img" / f"{name}.png"))
