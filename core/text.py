"""Text rules both apps use: what a single-line field may hold, and making a line safe.

A question, a choice or a name is one line. A carriage return or line feed in one ends up
in places that treat it as the end of something: an email subject (Django refuses to send
the whole message), a CSV row, a log line, a moderator's terminal. Other control characters
(escape, backspace, bell) and the bidirectional overrides that make text read differently
from what it is have no place in them either.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# C0 and C1 controls (tab, CR, LF, escape, DEL, NEL...), the Unicode line and paragraph
# separators, and the bidi embeddings, overrides and isolates. Zero-width joiners stay:
# scripts and emoji need them.
_LINE_BREAKING = {"Cc", "Zl", "Zp"}
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in _LINE_BREAKING or char in _BIDI_CONTROLS


def has_control_characters(value: str) -> bool:
    return any(_is_control(char) for char in value)


@deconstructible
class SingleLineValidator:
    """Refuse control characters (line breaks included) in a one-line field."""

    message = (
        "This must be one line of text: remove the line break, tab or other control "
        "character (it may have come in with pasted text)."
    )
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLineValidator)


single_line = SingleLineValidator()


def one_line(value: str) -> str:
    """The text with every control character made a space and runs of spaces made one:
    safe for an email header or a log line, whatever was stored."""
    return " ".join("".join(" " if _is_control(char) else char for char in value).split())
