"""moderate_comments prints what strangers wrote: it must not drive the moderator's terminal."""

import unicodedata
from io import StringIO

from django.core.management import call_command

from tests.comments.helpers import add

# Clear the screen, set the window title, a C1 CSI (colour), bidi overrides and isolates, a
# zero-width space, a line separator and an embedded newline that would forge a queue line.
HOSTILE_NAME = (
    "Eve\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil\u202c\u2066x\u2069\u200b\u2028\r\n9\tfake"
)
HOSTILE_BODY = "Look\x1b[31m red\x1b[0m \u202etxt.exe\u202c"


def run() -> str:
    out = StringIO()
    call_command("moderate_comments", stdout=out)
    return out.getvalue()


def test_control_characters_in_the_queue_are_printed_escaped(poll):
    add(poll, name=HOSTILE_NAME, body=HOSTILE_BODY, status="pending", reasons=["first\x1b[8m"])
    output = run()
    raw = {c for c in output if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"}}
    assert raw <= {"\n", "\t"}, sorted(map(hex, map(ord, raw)))
    assert (
        r"Eve\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil\u202c\u2066x\u2069\u200b\u2028\r\n9\tfake"
        in output
    )
    assert r"Look\x1b[31m red\x1b[0m \u202etxt.exe\u202c" in output
    assert r"first\x1b[8m" in output


def test_each_pending_comment_stays_on_one_line(poll):
    add(poll, name=HOSTILE_NAME, body="one\n\ntwo", status="pending")
    add(poll, name="Plain Pat", body="Fine.", status="pending")
    lines = run().splitlines()
    assert len(lines) == 3, lines
    assert lines[-1] == "2 pending."
    assert all(line.count("\t") == 4 for line in lines[:2]), lines
