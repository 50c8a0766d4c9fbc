"""Readers' reports (issue 12.1): one person cannot silence a comment.

Only established readers count (an account, or a voter cookie issued a while before the
report), one per address (an IPv6 /64 is one address); a moderator's approval answers the
reports it has seen; staff and the poll's author are never taken down by reports; the
poll's trainer and moderators can put a held comment back at once, and see what readers
wrote.
"""

import pytest
from django.test import Client

from comments import moderation
from comments.models import Comment, CommentReport
from tests.comments.helpers import add
from tests.factories import make_user, voter_client

pytestmark = pytest.mark.django_db

A_DAY = 24 * 60 * 60


@pytest.fixture(autouse=True)
def _three_reports_hold(settings):
    settings.COMMENTS_REPORTS_TO_HOLD = 3
    settings.COMMENTS_REPORTER_MIN_AGE = 600


@pytest.fixture
def comment(poll):
    return add(poll, name="Bea", body="An unpopular but fair opinion.")


def report(browser: Client, comment: Comment, reason: str = "rude", **extra) -> None:
    response = browser.post(f"/comments/{comment.pk}/report/", {"reason": reason}, **extra)
    assert response.status_code == 302


def established(address: str) -> Client:
    """A reader whose browser got its voter cookie a day ago, at this address."""
    return voter_client(issued_ago=A_DAY, REMOTE_ADDR=address)


def shown(poll, text: str) -> bool:
    return text in Client().get(poll.get_absolute_url()).content.decode()


def status_of(comment: Comment) -> str:
    comment.refresh_from_db()
    return comment.status


def test_three_reports_without_a_cookie_do_not_hide_a_comment(poll, comment):
    for number in range(3):  # three fresh cookie jars, from three addresses even
        report(Client(), comment, REMOTE_ADDR=f"198.51.100.{number + 1}")
    assert status_of(comment) == Comment.Status.APPROVED
    assert shown(poll, "An unpopular but fair opinion.")
    assert comment.reports.count() == 3  # kept for a moderator, just not counted


def test_three_readers_whose_cookies_are_minutes_old_do_not_hide_it(poll, comment):
    for number in range(3):
        browser = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        assert browser.get(poll.get_absolute_url()).status_code == 200  # the cookie is set
        report(browser, comment)
    assert status_of(comment) == Comment.Status.APPROVED


def test_established_readers_at_one_address_count_once(comment):
    for _ in range(3):
        report(established("203.0.113.7"), comment)
    assert status_of(comment) == Comment.Status.APPROVED


def test_an_ipv6_network_counts_as_one_address(comment):
    for host in ("1", "2", "ffff:1"):
        report(established(f"2001:db8:5:7::{host}"), comment)
    assert status_of(comment) == Comment.Status.APPROVED


def test_three_established_readers_at_three_addresses_hide_it(poll, comment):
    for address in ("198.51.100.1", "203.0.113.7", "2001:db8:5:7::1"):
        report(established(address), comment)
    assert status_of(comment) == Comment.Status.PENDING
    assert not shown(poll, "An unpopular but fair opinion.")


def test_signed_in_readers_count_from_their_first_visit(comment):
    for number in range(3):
        browser = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        browser.force_login(make_user())
        report(browser, comment)
    assert status_of(comment) == Comment.Status.PENDING


def test_after_a_moderator_approves_it_one_more_report_does_not_hide_it(poll, comment, moderator):
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        report(established(address), comment)
    assert status_of(comment) == Comment.Status.PENDING
    staff = Client()
    staff.force_login(moderator)
    response = staff.post(
        "/admin/comments/comment/",
        {"action": "approve_selected", "_selected_action": [comment.pk], "status": "pending"},
    )
    assert response.status_code == 302
    assert status_of(comment) == Comment.Status.APPROVED

    report(established("198.51.100.4"), comment)
    report(established("198.51.100.5"), comment)
    assert status_of(comment) == Comment.Status.APPROVED  # the old three are answered
    report(established("198.51.100.6"), comment)
    assert status_of(comment) == Comment.Status.PENDING  # three new readers


def test_the_poll_authors_comment_is_not_hidden_by_reports(poll, trainer, moderator):
    reply = add(poll, name="Morgan Reyes", body="As the author: please stay on topic.")
    reply.user = trainer
    reply.save(update_fields=["user"])
    staff_note = add(poll, name="Mod", body="A note from the moderators.")
    staff_note.user = moderator
    staff_note.save(update_fields=["user"])
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        report(established(address), reply)
        report(established(address), staff_note)
    assert status_of(reply) == Comment.Status.APPROVED
    assert status_of(staff_note) == Comment.Status.APPROVED
    assert reply.reports.count() == 3  # still there for a moderator to read


def hold_by_reports(comment: Comment) -> None:
    for number, reason in enumerate(["Off topic", "Personal attack", ""]):
        report(established(f"198.51.100.{number + 1}"), comment, reason=reason)
    assert status_of(comment) == Comment.Status.PENDING


def test_the_trainer_sees_what_reports_held_with_the_reasons_and_restores_it(
    poll, comment, trainer
):
    hold_by_reports(comment)
    browser = Client()
    browser.force_login(trainer)
    html = browser.get(poll.get_absolute_url()).content.decode()
    assert "Hidden after readers\u2019 reports" in html
    assert "“Off topic”" in html and "“Personal attack”" in html
    assert "No reason given" in html
    assert f'action="/comments/{comment.pk}/restore/"' in html

    response = browser.post(f"/comments/{comment.pk}/restore/")
    assert response.status_code == 302
    assert status_of(comment) == Comment.Status.APPROVED
    assert shown(poll, "An unpopular but fair opinion.")
    event = comment.moderation_log.last()
    assert (event.actor, event.to_status) == (trainer, Comment.Status.APPROVED)
    # Restored means answered: the same reports cannot hold it again.
    report(established("198.51.100.9"), comment)
    assert status_of(comment) == Comment.Status.APPROVED


def test_a_moderator_can_restore_from_the_page_too(poll, comment, moderator):
    hold_by_reports(comment)
    browser = Client()
    browser.force_login(moderator)
    assert "Hidden after readers" in browser.get(poll.get_absolute_url()).content.decode()
    assert browser.post(f"/comments/{comment.pk}/restore/").status_code == 302
    assert status_of(comment) == Comment.Status.APPROVED


@pytest.mark.parametrize("who", ["anonymous", "reader", "other_trainer"])
def test_nobody_else_can_restore(request, poll, comment, who):
    hold_by_reports(comment)
    browser = Client()
    if who != "anonymous":
        browser.force_login(request.getfixturevalue(who))
    response = browser.post(f"/comments/{comment.pk}/restore/")
    assert response.status_code == (302 if who == "anonymous" else 403)
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    assert status_of(comment) == Comment.Status.PENDING
    assert "Hidden after readers" not in browser.get(poll.get_absolute_url()).content.decode()


def test_the_trainer_cannot_publish_what_a_moderator_held_or_never_approved(
    poll, trainer, moderator
):
    held_by_moderator = add(poll, body="Held by a moderator.")
    moderation.comment_hold(comment=held_by_moderator, actor=moderator)
    first_timer = add(poll, body="Never approved.", status=Comment.Status.PENDING)
    browser = Client()
    browser.force_login(trainer)
    assert "Hidden after readers" not in browser.get(poll.get_absolute_url()).content.decode()
    for comment in (held_by_moderator, first_timer):
        response = browser.post(f"/comments/{comment.pk}/restore/", follow=True)
        assert response.status_code == 200
        assert "not held after readers&#x27; reports" in response.content.decode()
        assert status_of(comment) == Comment.Status.PENDING


def test_moderators_read_the_reasons_in_the_admin(poll, comment, moderator):
    hold_by_reports(comment)
    staff = Client()
    staff.force_login(moderator)
    page = staff.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "readers&#x27; reports" in page.lower() or "Readers&#x27; reports" in page
    assert "Off topic" in page and "Personal attack" in page
    reports = staff.get("/admin/comments/commentreport/").content.decode()
    assert "Off topic" in reports and "Personal attack" in reports
    assert CommentReport.objects.filter(comment=comment, counted=True).count() == 3


def test_a_reason_with_markup_is_shown_as_text(poll, comment, trainer):
    report(established("198.51.100.1"), comment, reason="<script>alert(1)</script>")
    report(established("198.51.100.2"), comment)
    report(established("198.51.100.3"), comment)
    browser = Client()
    browser.force_login(trainer)
    html = browser.get(poll.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_the_moderation_command_lists_the_reasons_readers_gave(poll, comment):
    from io import StringIO

    from django.core.management import call_command

    hold_by_reports(comment)
    report_with_escape = CommentReport.objects.filter(comment=comment, reason="Off topic")
    report_with_escape.update(reason="Off topic\x1b[2J")
    out = StringIO()
    call_command("moderate_comments", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith(str(comment.pk)))
    assert "Reported by 3 readers" in line
    assert r"reader: Off topic\x1b[2J" in line and "reader: Personal attack" in line


def test_a_reason_too_long_is_kept_and_refused_with_the_numbers_never_cut(comment):
    browser = established("198.51.100.9")
    long_reason = "This is rude. " * 40  # 559 characters once stripped
    page = browser.get(f"/comments/{comment.pk}/report/").content.decode()
    assert 'data-maxlength="500"' in page and " maxlength=" not in page
    response = browser.post(f"/comments/{comment.pk}/report/", {"reason": long_reason})
    assert response.status_code == 400
    html = response.content.decode()
    assert long_reason.strip() in html
    assert "Your reason is 559 characters long; it can be at most 500." in html
    assert not CommentReport.objects.exists()
    report(browser, comment, reason=long_reason[:500])
    assert CommentReport.objects.get().reason == long_reason[:500].strip()
