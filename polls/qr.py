"""The QR code of a poll's join address (/j/<code> on SITE_URL), drawn by segno.

segno works out the symbol; the SVG is written by a template (polls/qr.svg, the same for
the page and the download), from the path this module prepares; the PNG is segno's own.
"""

import io
from dataclasses import dataclass
from functools import lru_cache

import segno

from core.links import absolute_url
from polls.models import Poll

ERROR_LEVEL = "m"  # 15% of the symbol may be lost (a projector's glare) and it still scans
BORDER = 4  # the quiet zone the standard asks for, in modules
PNG_SCALE = 10  # pixels per module in the PNG download: sharp on a slide or a print


@dataclass(frozen=True)
class QRDrawing:
    """What the SVG template needs: the text it holds, its size and its dark modules."""

    text: str
    size: int  # modules per side, quiet zone included
    path: str  # SVG path data, one horizontal stroke per run of dark modules


def join_address(poll: Poll) -> str:
    """The absolute join address the QR code holds and the page shows."""
    return absolute_url(poll.get_join_url())


def qr_code(text: str) -> segno.QRCode:
    return segno.make_qr(text, error=ERROR_LEVEL, boost_error=False)


@lru_cache(maxsize=256)  # a pure function of the text: safe to keep in any process
def qr_drawing(text: str) -> QRDrawing:
    matrix = qr_code(text).matrix
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start + BORDER} {y + BORDER + 0.5}h{x - start}")
    return QRDrawing(text=text, size=len(matrix) + 2 * BORDER, path="".join(runs))


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    qr_code(text).save(out, kind="png", scale=PNG_SCALE, border=BORDER)
    return out.getvalue()
