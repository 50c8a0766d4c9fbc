"""Safe Markdown: the small subset people write in intros and comments, sanitised by nh3.

The parser is cmark-gfm (compiled by cmarkgfm): CommonMark's reference implementation in C, with
GitHub's autolink extension. Its work grows linearly with the input whatever its shape
(runs of brackets, emphasis, backticks, list markers), and it never recurses in Python, so
neither a hostile comment nor a hostile intro can stall a worker or raise RecursionError.
Everything around it is linear too (str methods, regular expressions that cannot backtrack
far), and what reaches nh3 is bounded: at most about one tag or character reference per
character of text (MAX_MARKUP_PER_CHARACTER). bench/markdown.py measures it all;
docs/decisions.md says why this replaced Python-Markdown.
"""

import ctypes
import html as html_module
import re
from ctypes import c_char_p, c_int, c_size_t, c_void_p
from itertools import accumulate

import nh3
from cmarkgfm import _cmark, cmark

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Elements nested deeper than this keep their text and lose their tags ("1. " * 700 is a
# list inside a list 700 times). Real writing needs a handful; a phone has no room for a
# list indented twenty times, and HTML parsers spend time in proportion to the depth.
MAX_NESTING = 20
# Real writing makes well under one tag per character (a list of one-letter items makes
# one per two); "- - - x" repeated makes two, ">" * 10000 twenty thousand nested tags.
# Past this many tags and character references per character (and a few to spare for a
# short text), the text is shown as typed instead: paragraphs and line breaks only. What
# nh3, the page and a reader's browser must then work through stays proportional to the
# text with a small factor, whatever its shape.
MAX_MARKUP_PER_CHARACTER = 1
_MARKUP_TO_SPARE = 64

# cmarkgfm's own functions never free what the C library allocated: the document tree and
# the HTML, some 60 kB for every kilobyte of text, for as long as the worker lives. Its
# compiled library exports the whole cmark-gfm API, so we call it here and free both.
_cmark_gfm = ctypes.CDLL(_cmark.__file__)
for _name, _result, _arguments in [
    ("cmark_gfm_core_extensions_ensure_registered", None, []),
    ("cmark_find_syntax_extension", c_void_p, [c_char_p]),
    ("cmark_parser_new", c_void_p, [c_int]),
    ("cmark_parser_attach_syntax_extension", c_int, [c_void_p, c_void_p]),
    ("cmark_parser_feed", None, [c_void_p, c_char_p, c_size_t]),
    ("cmark_parser_finish", c_void_p, [c_void_p]),
    ("cmark_parser_get_syntax_extensions", c_void_p, [c_void_p]),
    ("cmark_render_html", c_void_p, [c_void_p, c_int, c_void_p]),
    ("cmark_node_free", None, [c_void_p]),
    ("cmark_parser_free", None, [c_void_p]),
]:
    getattr(_cmark_gfm, _name).restype = _result
    getattr(_cmark_gfm, _name).argtypes = _arguments
_cmark_gfm.cmark_gfm_core_extensions_ensure_registered()
_free = ctypes.CDLL(None).free  # the C library's, which cmark-gfm's default allocator uses
_free.argtypes, _free.restype = [c_void_p], None

# A line break inside a paragraph is a <br> (people type poems and addresses); bare URLs,
# www. addresses and email addresses become links. No other extension (no tables).
_OPTIONS = cmark.Options.CMARK_OPT_HARDBREAKS
_AUTOLINK = _cmark_gfm.cmark_find_syntax_extension(b"autolink")

# Raw HTML and character references are shown as the text the person typed (CommonMark has
# no switch for that), escaped exactly once, code spans included: every "<", except one
# that opens an autolink such as <https://example.com>, and every "&" go to the parser as
# private-use characters that mean nothing to it, and come back as "&lt;" and "&amp;". In a
# link's address the parser percent-encodes them: they come back as "<" and "&" would.
_LT, _AMP = "\ue000", "\ue001"
_TO_PARSER = {ord(_LT): "\ufffd", ord(_AMP): "\ufffd", ord("&"): _AMP}
_TO_HTML = {ord(_LT): "&lt;", ord(_AMP): "&amp;"}
_IN_ADDRESS = {"%EE%80%80": "%3C", "%EE%80%81": "&amp;"}
_RAW_LT = re.compile(r"<(?![A-Za-z][A-Za-z0-9.+-]{1,31}:[^\x00-\x20\x7f<>]*>)")

# The parser's own output: every "<" in it starts a tag it wrote (text and attribute values
# are escaped), so a tag runs from "<" to the next ">"; and links never nest.
_NESTING_TAG = re.compile(r"(<(/?)(?!(?:br|hr|img)\b)[a-z][a-z0-9]*[^>]*>)")
_NESTING_TAG_START = re.compile(r"<(/?)(?!(?:br|hr|img)\b)[a-z]")
_DEPTH_STEP = {"": 1, "/": -1}
_ADDRESS = re.compile(r' (?:href|src)="[^"]*"')
_STAND_IN_IN_ADDRESS = re.compile("|".join(_IN_ADDRESS))
_LINK = re.compile(r"<a [^>]*>.*?</a>", re.S)
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: (title="[^"]*"))? />')
_UNSAFE_LINK = re.compile(r'<a href=""[^>]*>(.*?)</a>', re.S)

_LINE_BREAK = re.compile(r"\r\n?")
_PARAGRAPH_BREAK = re.compile(r"<br>\n(?:[ \t]*<br>\n)+")


def _to_html(source: str) -> str:
    """cmark-gfm's HTML for the Markdown source, with every allocation freed."""
    encoded = source.encode("utf-8", "replace")
    parser = _cmark_gfm.cmark_parser_new(_OPTIONS)
    try:
        _cmark_gfm.cmark_parser_attach_syntax_extension(parser, _AUTOLINK)
        _cmark_gfm.cmark_parser_feed(parser, encoded, len(encoded))
        document = _cmark_gfm.cmark_parser_finish(parser)
        try:
            extensions = _cmark_gfm.cmark_parser_get_syntax_extensions(parser)
            html = _cmark_gfm.cmark_render_html(document, _OPTIONS, extensions)
            try:
                return ctypes.string_at(html).decode("utf-8", "replace")
            finally:
                _free(html)
        finally:
            _cmark_gfm.cmark_node_free(document)
    finally:
        _cmark_gfm.cmark_parser_free(parser)


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )


def _address_as_typed(match: re.Match) -> str:
    return _STAND_IN_IN_ADDRESS.sub(lambda stand_in: _IN_ADDRESS[stand_in.group()], match.group())


def _image_as_link(match: re.Match) -> str:
    src, alt, title = match.groups()
    if not src:  # an address the parser found unsafe (javascript: and the like)
        return alt
    title = f" {title}" if title else ""
    return f'<a href="{src}"{title}>{alt or src}</a>'


def _flatten(html: str) -> str:
    """Drop the tags (never the text) of elements nested deeper than MAX_NESTING."""
    steps = map(_DEPTH_STEP.__getitem__, _NESTING_TAG_START.findall(html))
    if max(accumulate(steps), default=0) <= MAX_NESTING:
        return html
    parts = _NESTING_TAG.split(html)  # text, tag, "/" or "", text, tag, ...
    slashes = parts[2::3]
    depths = accumulate(map(_DEPTH_STEP.__getitem__, slashes))  # after each tag
    kept = [
        depth < MAX_NESTING if slash else depth <= MAX_NESTING
        for slash, depth in zip(slashes, depths, strict=True)
    ]
    parts[1::3] = [tag if keep else "" for tag, keep in zip(parts[1::3], kept, strict=True)]
    parts[2::3] = [""] * len(slashes)
    # A dropped block tag leaves the line break after it behind: drop that too.
    parts[3::3] = [
        text if keep or text[:1] != "\n" else text[1:]
        for text, keep in zip(parts[3::3], kept, strict=True)
    ]
    return "".join(parts)


def _shape(html: str) -> str:
    """The parser's HTML with link and image addresses as typed; images shown as links to
    them, named by their alt text (we show no images, and one that vanished would lose what
    the person wrote); links to an unsafe address shown as their text; nesting flattened."""
    if "%EE%80%8" in html:
        html = _ADDRESS.sub(_address_as_typed, html)
    if "<img " in html:
        html = _LINK.sub(lambda link: _IMAGE.sub(r"\2", link.group()), html)  # no link in a link
        html = _IMAGE.sub(_image_as_link, html)
    if '<a href=""' in html:
        html = _UNSAFE_LINK.sub(r"\1", html)
    return _flatten(html)


def _as_typed(text: str) -> str:
    """The text as typed: paragraphs at blank lines, a <br> at every other line break."""
    lines = html_module.escape(_LINE_BREAK.sub("\n", text.strip()), quote=False)
    lines = lines.replace("\n", "<br>\n")
    return "<p>" + _PARAGRAPH_BREAK.sub("</p>\n<p>", lines) + "</p>\n"


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to mark_safe: only ALLOWED_TAGS survive."""
    source = _RAW_LT.sub(_LT, text.translate(_TO_PARSER))
    html = _to_html(source).translate(_TO_HTML)
    markup = html.count("<") + html.count("&")
    if markup > MAX_MARKUP_PER_CHARACTER * len(text) + _MARKUP_TO_SPARE:
        return _clean(_as_typed(text))
    return _clean(_shape(html))
