"""Reading QR codes back in tests: zxing-cpp (a decoder independent of segno, which drew
them) on a bitmap made from our SVG's path or from our PNG's pixels."""

import re
import struct
import zlib

import zxingcpp


def decode_bitmap(rows: list[bytes]) -> list[str]:
    """The texts of the QR codes in a greyscale bitmap (one byte per pixel, 0 = black)."""
    height, width = len(rows), len(rows[0])
    image = memoryview(b"".join(rows)).cast("B", (height, width))
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def svg_bitmap(svg: str, *, scale: int = 4) -> list[bytes]:
    """Paint the SVG's path of horizontal runs ("M x y h n") onto a white bitmap."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    d = re.search(r' d="([^"]*)"', svg).group(1)
    grid = [bytearray(b"\xff" * size) for _ in range(size)]
    for x, y, run in re.findall(r"M(\d+) ([\d.]+)h(\d+)", d):
        row = grid[int(float(y))]
        row[int(x) : int(x) + int(run)] = b"\x00" * int(run)
    return [bytes(b for b in row for _ in range(scale)) for row in grid for _ in range(scale)]


def png_bitmap(png: bytes) -> list[bytes]:
    """The pixels of a PNG as greyscale: segno's (1-bit grey) or a browser's screenshot
    (8-bit RGB or RGBA), not interlaced."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pos, chunks = 8, {}
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        chunks[kind] = chunks.get(kind, b"") + png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    channels = {0: 1, 2: 3, 6: 4}[colour]
    assert interlace == 0 and (depth, channels) in {(1, 1), (8, 1), (8, 3), (8, 4)}
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width * depth * channels + 7) // 8
    step = max(1, depth * channels // 8)  # bytes to the left neighbour, for the filters
    rows, previous = [], bytes(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = _unfilter(kind, raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)], previous, step)
        previous = line
        if depth == 1:
            rows.append(bytes(255 * ((line[x // 8] >> (7 - x % 8)) & 1) for x in range(width)))
        else:  # the green channel is grey enough for black-on-white
            rows.append(
                bytes(line[x * channels + (1 if channels > 1 else 0)] for x in range(width))
            )
    return rows


def _unfilter(kind: int, line: bytes, up: bytes, step: int) -> bytes:
    """Undo one PNG row filter."""
    out = bytearray(len(line))
    for i, value in enumerate(line):
        left = out[i - step] if i >= step else 0
        upper_left = up[i - step] if i >= step else 0
        if kind == 0:
            guess = 0
        elif kind == 1:
            guess = left
        elif kind == 2:
            guess = up[i]
        elif kind == 3:
            guess = (left + up[i]) // 2
        else:
            p = left + up[i] - upper_left
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - upper_left)
            guess = left if pa <= pb and pa <= pc else up[i] if pb <= pc else upper_left
        out[i] = (value + guess) & 0xFF
    return bytes(out)
