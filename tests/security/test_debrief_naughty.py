"""The Big List of Naughty Strings and the XSS payloads through the trainer's debrief.

Every string is a commenter's alternative definition, name and supporting comment, and a
choice's text; the debrief's Markdown, shown by a renderer that lets raw HTML through, has
no script, handler or unsafe link and none of the strings' markup; its CSV reads back cell
for cell, with no cell a spreadsheet would run as a formula.
"""

import csv
import io

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from comments.debrief import debrief_csv, debrief_markdown, poll_debrief
from comments.models import Comment
from polls.models import Choice
from polls.results import csv_cell
from tests.comments.helpers import add, elements, unsafe_markup
from tests.factories import make_poll
from tests.payloads import BODY_PAYLOADS

pytestmark = pytest.mark.django_db

# What the debrief's own Markdown makes; anything else came from people's text. Bare web
# addresses in people's text become links in GitHub's Markdown (<a>, http/https only: the
# unsafe_markup check), as they do on the site.
OWN_TAGS = {"h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "strong",
            "blockquote", "a"}  # fmt: skip


def one_line(text: str) -> str:
    return " ".join(text.split())


def debrief_of(strings: list[str], trainer) -> tuple[str, str]:
    poll = make_poll(author=trainer, choices=("A", "B"))
    Choice.objects.bulk_create(
        Choice(poll=poll, text=one_line(text)[:300] or "x", position=index + 2)
        for index, text in enumerate(strings[:8])  # a poll has a few choices, not hundreds
    )
    first = poll.choices.first()
    for text in strings:
        add(poll, name=text[:80] or "x", body=text or "x", is_alternative=True)
        add(poll, name=text[:80] or "x", body=text or "x", stance=first)
    assert Comment.objects.filter(poll=poll).count() == 2 * len(strings)
    debrief = poll_debrief(poll=poll)
    return debrief_markdown(debrief), debrief_csv(debrief)


def check(strings: list[str], trainer) -> None:
    markdown, sheet = debrief_of(strings, trainer)
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    assert unsafe_markup(html) == []
    foreign = {element.tag for element in elements(html)} - OWN_TAGS
    assert not foreign, foreign
    cells = [cell for row in csv.reader(io.StringIO(sheet)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    for text in strings:
        expected = csv_cell(one_line(text or "x"))
        assert expected in cells, text


def test_naughty_strings_through_the_debrief(blns, trainer):
    check(blns, trainer)


def test_xss_payloads_through_the_debrief(trainer):
    check(BODY_PAYLOADS, trainer)
