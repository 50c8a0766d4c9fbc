"""Safe Markdown: the small subset people write in intros and comments, sanitised by nh3."""

import re

import markdown
import nh3
from django.utils.html import urlize

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_TAG_OR_LINK = re.compile(r"(<a\b[^>]*>.*?</a>|<[^>]+>)", re.S)


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to mark_safe: only ALLOWED_TAGS survive."""
    # Raw HTML is shown as the text the person typed, not interpreted nor silently dropped.
    source = text.replace("&", "&amp;").replace("<", "&lt;")
    html = _clean(markdown.markdown(source, extensions=["nl2br", "sane_lists"]))
    # Make bare URLs clickable in text nodes only (never inside an existing link), then
    # sanitise again so that nothing urlize produced can carry a bad scheme.
    parts = _TAG_OR_LINK.split(html)
    linked = "".join(
        part if part.startswith("<") else urlize(part, nofollow=True, autoescape=False)
        for part in parts
    )
    return _clean(linked)
