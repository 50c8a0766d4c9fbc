"""The comment and reply forms as a newcomer meets them: Cancel, a held reply's
confirmation, long comments, and the too-fast guard."""

import time

import pytest
from django.conf import settings
from playwright.sync_api import expect

from comments.forms import form_token
from comments.models import Comment
from comments.posting import comment_place
from tests.browser.helpers import focused_element, wait_for_htmx
from tests.factories import make_poll, voter_client

pytestmark = pytest.mark.browser

AWAITING = "awaiting moderation"


@pytest.fixture
def poll():
    return make_poll(question="How would you define social learning?")


@pytest.fixture
def ana_comment(poll):
    return comment_place(
        poll=poll,
        parent=None,
        name="Ana",
        email="ana@example.com",
        body="Something else altogether: learning *through* a community.",
        status=Comment.Status.APPROVED,
    )


@pytest.fixture
def fast_typists(settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0


def browser_with_voter_cookie(new_context, live_server, anonymous_id, *, javascript=True):
    context = new_context(java_script_enabled=javascript)
    value = voter_client(anonymous_id).cookies[settings.POLLS_VOTER_COOKIE].value
    context.add_cookies(
        [{"name": settings.POLLS_VOTER_COOKIE, "value": value, "url": live_server.url}]
    )
    return context.new_page()


def open_reply_form(page, poll, comment):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    page.locator(f"article#comment-{comment.pk}").get_by_role("link", name="Reply to").click()
    form = page.locator(f"article#comment-{comment.pk} #reply-form")
    expect(form).to_be_visible()
    return form


def fill(form, body):
    form.get_by_label("Name").fill("Ben")
    form.get_by_label("Email").fill("ben@example.com")
    form.get_by_role("textbox", name="Comment").fill(body)


# --- item 3: Cancel closes the reply form ----------------------------------------------


def test_cancel_closes_an_empty_reply_form_and_returns_to_reply(page, poll, ana_comment):
    form = open_reply_form(page, poll, ana_comment)

    form.get_by_role("link", name="Cancel").click()

    expect(page.locator("#reply-form")).to_have_count(0)
    reply_link = page.locator(f"article#comment-{ana_comment.pk}").get_by_role(
        "link", name="Reply to Ana"
    )
    expect(reply_link).to_be_focused()


def test_cancel_asks_before_discarding_typed_text(page, poll, ana_comment):
    form = open_reply_form(page, poll, ana_comment)
    form.get_by_role("textbox", name="Comment").fill("Half a thought")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    form.get_by_role("link", name="Cancel").click()
    expect(form.get_by_role("textbox", name="Comment")).to_have_value(
        "Half a thought"
    )  # kept: said no

    page.once("dialog", lambda dialog: answer(dialog, True))
    form.get_by_role("link", name="Cancel").click()
    expect(page.locator("#reply-form")).to_have_count(0)
    assert len(questions) == 2 and "Discard" in questions[0]


def test_without_javascript_cancel_is_a_link_back_to_the_comment(nojs_page, poll, ana_comment):
    page = nojs_page
    page.goto(poll.get_absolute_url())
    page.locator(f"article#comment-{ana_comment.pk}").get_by_role("link", name="Reply to").click()

    page.get_by_role("link", name="Cancel").click()

    assert page.url.endswith(f"#comment-{ana_comment.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(poll.question)


# --- item 4: a held reply's confirmation where the reader lands (no JS) ----------------


def test_held_reply_without_javascript_is_confirmed_where_the_reader_lands(
    new_context, poll, fast_typists
):
    page = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}).new_page()
    for number in range(12):  # a long discussion above: the top of the page is far away
        comment_place(
            poll=poll, parent=None, name=f"P{number}", body="Filler. " * 80, status="approved"
        )
    ana_comment = comment_place(
        poll=poll, parent=None, name="Ana", body="A community.", status="approved"
    )
    page.goto(poll.get_absolute_url())
    page.locator(f"article#comment-{ana_comment.pk}").get_by_role("link", name="Reply to").click()
    fill(page.locator("#reply-form"), "A first-time reply.")
    page.get_by_role("button", name="Post comment").click()

    reply = page.locator(f"article#comment-{ana_comment.pk} article.comment").filter(
        has_text="A first-time reply."
    )
    note = reply.get_by_role("status")
    expect(note).to_contain_text(AWAITING)
    expect(note).to_be_in_viewport()
    assert Comment.objects.get(body="A first-time reply.").status == Comment.Status.PENDING


# --- item 7: long comments ---------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_too_long_comment_is_never_cut_and_is_refused_with_its_text(
    new_context, poll, fast_typists, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(poll.get_absolute_url())
    limit = settings.COMMENTS_MAX_LENGTH
    text = ("word " * (limit // 5 + 400)).strip() + " END"
    form = page.locator("#comment-form")
    fill(form, text)
    assert len(form.get_by_role("textbox", name="Comment").input_value()) == len(text), (
        "the paste was cut"
    )

    form.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text(f"at most {limit:,} characters").first).to_be_visible()
    expect(page.locator("#comment-form").get_by_role("textbox", name="Comment")).to_have_value(text)
    assert not Comment.objects.exists()


def test_live_counter_tells_how_many_characters_are_left_without_chattering(page, poll):
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    limit = settings.COMMENTS_MAX_LENGTH
    body = page.locator("#comment-form").get_by_role("textbox", name="Comment")
    counter = page.locator("#comment-form .comment-counter")
    spoken = page.locator("#comment-form .comment-counter-live")
    expect(spoken).to_have_attribute("aria-live", "polite")

    body.press_sequentially("Short")
    expect(counter).to_contain_text(f"5 / {limit:,}")
    expect(spoken).to_have_text("")  # far from the limit: nothing to announce per keystroke

    body.fill("x" * (limit + 12))
    expect(counter).to_contain_text("12 characters too many")
    expect(spoken).to_contain_text("12 characters too many")
    described = body.get_attribute("aria-describedby") or ""
    assert page.locator("#comment-form .comment-counter").get_attribute("id") in described


# --- extra: the too-fast guard ---------------------------------------------------------


def test_reply_form_opened_late_counts_from_when_the_page_was_shown(
    new_context, live_server, poll, ana_comment, settings
):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 20
    page = browser_with_voter_cookie(new_context, live_server, "reader-who-reads")
    page.goto(poll.get_absolute_url())
    wait_for_htmx(page)
    # The reader has had the page for a minute (as if served then), reading the thread.
    token = form_token(voter_key="anon:reader-who-reads", served_at=time.time() - 60)
    page.locator("#comment-form input[name=served]").evaluate(
        "(input, token) => { input.value = token; }", token
    )
    page.locator(f"article#comment-{ana_comment.pk}").get_by_role("link", name="Reply to").click()
    form = page.locator("#reply-form")

    fill(form, "Pasted straight in after reading for a minute.")
    form.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("Pasted straight in after reading for a minute.")).to_be_visible()
    expect(page.get_by_text("quicker than anyone can type")).to_have_count(0)
    assert Comment.objects.filter(parent=ana_comment).count() == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_too_fast_keeps_the_text(new_context, poll, ana_comment, settings, javascript):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 3600
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(poll.get_absolute_url())
    form = page.locator("#comment-form")
    fill(form, "Typed at the speed of a paste.")

    form.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("quicker than anyone can type")).to_be_visible()
    expect(page.locator("#comment-form").get_by_role("textbox", name="Comment")).to_have_value(
        "Typed at the speed of a paste."
    )
    assert focused_element(page)["tag"] is not None
