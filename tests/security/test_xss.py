"""Stored XSS: every payload in tests/payloads.py through every displayed field, checked on
every surface that shows it -- the poll page, the home page, the admin lists, the comment
feeds, the notification emails (and the CSV export once it exists; see test_csv_export).

Plain-text fields (question, choices, commenter's name) must also come back byte-for-byte,
escaped. Markdown fields (intro, comment) must keep nothing active.
"""

import html as html_module
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.test import override_settings
from django.utils.html import escape

from comments import posting
from comments.models import Comment
from core.text import one_line
from polls.models import Choice, Poll
from tests.payloads import MARKER, URL_PAYLOADS, XSS_PAYLOADS
from tests.security.htmlcheck import active_payload

pytestmark = pytest.mark.django_db


def fit(text: str, length: int) -> str:
    return text[:length]


class Hostile:
    """One poll per payload: the payload as question, intro, choices, comment name and body."""

    def __init__(self, author):
        self.polls: list[Poll] = []
        self.comments: list[Comment] = []
        for number, payload in enumerate(XSS_PAYLOADS):
            poll = Poll.objects.create(
                question=fit(payload, 200),
                slug=f"hostile-{number}",
                intro=payload,
                author=author,
                status=Poll.Status.PUBLISHED,
                results_visibility=Poll.ResultsVisibility.ALWAYS,
            )
            Choice.objects.create(poll=poll, text=fit(payload, 300), position=0)
            Choice.objects.create(poll=poll, text=fit("Second: " + payload, 300), position=1)
            first = posting.comment_post(
                poll=poll,
                author=posting.Author(name="Asker", email="asker@example.com"),
                body="Please reply.",
                reply_to=None,
                notify=True,
            )
            website = URL_PAYLOADS[number % len(URL_PAYLOADS)]
            comment = posting.comment_post(
                poll=poll,
                author=posting.Author(
                    # A name is one line (control characters are refused, issue 12.7).
                    name=fit(one_line(payload), 80),
                    email="payload@example.com",
                    website=website if website.startswith("https:") else "",
                ),
                body=payload,
                reply_to=first,
                notify=False,
            )
            assert comment.status == Comment.Status.APPROVED, comment.held_reasons
            self.polls.append(poll)
            self.comments.append(comment)


@pytest.fixture
def hostile(trainer, django_capture_on_commit_callbacks):
    with (
        override_settings(
            COMMENTS_HOLD_FIRST_TIME_ANONYMOUS=False,
            COMMENTS_MAX_LINKS=100,
            COMMENTS_MODERATION_WORDS=[],
            COMMENTS_DISALLOWED_WORDS=[],
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return Hostile(trainer)


def findings_on(html: str) -> list[str]:
    return active_payload(html, MARKER)


def test_poll_page_keeps_every_payload_inert_and_shows_plain_fields_escaped(client, hostile):
    problems = []
    for poll, comment in zip(hostile.polls, hostile.comments, strict=True):
        response = client.get(poll.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        problems += [f"{poll.slug}: {f}" for f in findings_on(html)]
        for text in [poll.question, *poll.choices.values_list("text", flat=True), comment.name]:
            if escape(text) not in html:
                problems.append(f"{poll.slug}: not shown escaped byte-for-byte: {text!r}")
    assert not problems, "\n".join(problems)


def test_home_page_keeps_every_question_inert_and_escaped(client, hostile, settings):
    settings.POLLS_PER_PAGE = 100  # every hostile poll on one page
    html = client.get("/").content.decode()
    assert findings_on(html) == []
    missing = [poll.question for poll in hostile.polls if escape(poll.question) not in html]
    assert missing == []


def test_admin_lists_keep_every_payload_inert(client, hostile, superuser):
    client.force_login(superuser)
    pages = [
        "/admin/polls/poll/",
        "/admin/polls/poll/?q=" + MARKER,
        "/admin/polls/ballot/",
        *[f"/admin/polls/poll/{poll.pk}/change/" for poll in hostile.polls[:5]],
        "/admin/comments/comment/?status=all",
        "/admin/comments/comment/?status=all&q=" + MARKER,
        *[f"/admin/comments/comment/{comment.pk}/change/" for comment in hostile.comments[:5]],
    ]
    problems = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        problems += [f"{page}: {f}" for f in findings_on(response.content.decode())]
    assert not problems, "\n".join(problems)
    changelist = client.get("/admin/comments/comment/?status=all&all=").content.decode()
    for comment in hostile.comments:
        assert escape(comment.name) in changelist
    poll_list = client.get("/admin/polls/poll/?all=").content.decode()
    for poll in hostile.polls:
        assert escape(poll.question) in poll_list


def feed_entries(xml: bytes) -> list[dict[str, str]]:
    root = ET.fromstring(xml)  # noqa: S314 - our own server's feed, in a test
    entries = []
    for item in root.iter():
        if item.tag in ("item", "{http://www.w3.org/2005/Atom}entry"):
            fields = {}
            for child in item:
                name = child.tag.split("}")[-1]
                fields[name] = "".join(child.itertext())
            entries.append(fields)
    return entries


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_carry_payloads_as_text_and_their_html_stays_inert(client, hostile, kind):
    problems = []
    for poll, comment in zip(hostile.polls, hostile.comments, strict=True):
        response = client.get(f"/polls/{poll.slug}/comments/{kind}/")
        assert response.status_code == 200
        entries = feed_entries(response.content)
        assert entries, poll.slug
        for entry in entries:
            # Titles are plain text; the description/summary is HTML a reader will render.
            html = entry.get("description") or entry.get("summary") or entry.get("content", "")
            problems += [f"{kind} {poll.slug}: {f}" for f in findings_on(html)]
        # RSS titles have no type and readers often render them as HTML, so they must hold
        # nothing active; Atom titles are type="text" (RFC 4287: never read as markup).
        titles = [entry["title"] for entry in entries]
        for title in titles if kind == "rss" else []:
            problems += [f"{kind} {poll.slug} title: {f}" for f in findings_on(title)]
        shown = [
            t
            for t in titles
            if comment.name in (t, html_module.unescape(t))
            or any(comment.name in form for form in (t, html_module.unescape(t)))
        ]
        assert shown, (poll.slug, titles)
    assert not problems, "\n".join(problems)


def test_notification_emails_keep_every_payload_inert(hostile):
    assert len(mail.outbox) >= len(hostile.polls)
    problems = []
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                problems += [f"{message.subject[:40]}: {f}" for f in findings_on(content)]
    assert not problems, "\n".join(problems)
    html_bodies = "".join(
        content for message in mail.outbox for content, mimetype in message.alternatives
    )
    for comment in hostile.comments:
        assert escape(comment.name) in html_bodies


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_export_is_a_download_and_no_cell_starts_a_formula(client, hostile, trainer):
    import csv
    import io

    client.force_login(trainer)
    problems = []
    for poll in hostile.polls:
        response = client.get(f"/polls/{poll.slug}/results.csv")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        cells = [row[0] for row in rows[1:-1]]
        for cell, text in zip(cells, poll.choices.values_list("text", flat=True), strict=True):
            if cell.startswith(FORMULA_STARTS):
                problems.append(f"{poll.slug}: formula cell {cell!r}")
            if cell not in (text, "'" + text):
                problems.append(f"{poll.slug}: {cell!r} is not the choice {text!r}")
    assert not problems, "\n".join(problems)
