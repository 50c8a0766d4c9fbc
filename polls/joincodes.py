"""Join codes: the short code a room types (or scans) to open a poll, as in /j/K7MXQ4.

Codes are drawn from an alphabet without look-alikes (no 0/O, 1/I/l, nor L), stored in
capitals and looked up in capitals, so "k7mxq4" finds the same poll. This module holds only
the alphabet and the drawing; the uniqueness is the database's (Poll.join_code is unique)
and the editing service draws again when a code is taken (polls/editing.py).
"""

import re
import secrets

# 31 symbols: digits 2-9 and the capitals less I, L and O.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31**6 ≈ 887 million codes: short to type, hard to walk through
MIN_LENGTH, MAX_LENGTH = 4, 8
_CODE = re.compile(rf"[{ALPHABET}]{{{MIN_LENGTH},{MAX_LENGTH}}}")


def join_code_random() -> str:
    """A fresh random code (the field's default, so every way of making a poll gets one)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def join_code_normalise(text: str) -> str | None:
    """The code as stored, from what someone typed (any case, spaces or a dash around it),
    or None if it cannot be a code."""
    code = re.sub(r"[\s-]", "", text).upper()
    return code if _CODE.fullmatch(code) else None
