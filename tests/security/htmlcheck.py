"""Find markup that a payload managed to make *active* in a page, an email or a feed.

The check is on the parsed document, not on substrings: a payload shown as text (escaped)
is fine wherever it appears; it is a finding only when it became a script, an event
handler, a style, a dangerous URL, or a tag that changes the page (base, meta refresh,
form, iframe, object, embed, svg, math) -- recognisable because it carries MARKER.
"""

import re
from html.parser import HTMLParser

ACTIVE_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "object",
    "embed",
    "base",
    "meta",
    "form",
    "svg",
    "math",
    "link",
    "template",
}
_EDGE = "".join(chr(c) for c in range(33))  # C0 controls and space
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "poster"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Finder(HTMLParser):
    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.findings: list[str] = []
        self._raw_text_tag: str | None = None

    def _preview_text(self, tag, attrs) -> bool:
        """A link-preview <meta name|property=… content=…> (og:title is the question) whose
        content alone holds the payload: text for a preview, not a refresh or a CSP."""
        names = {name for name, _ in attrs}
        return (
            tag == "meta"
            and not names & {"http-equiv", "charset"}
            and names & {"name", "property"}
            and all(self.marker not in (value or "") for name, value in attrs if name != "content")
        )

    def handle_starttag(self, tag, attrs):
        values = " ".join(value or "" for _, value in attrs)
        if tag in ACTIVE_TAGS and self.marker in values and not self._preview_text(tag, attrs):
            self.findings.append(f"<{tag}> carrying the payload: {attrs}")
        if tag in {"script", "style"}:
            self._raw_text_tag = tag
        for name, value in attrs:
            value = value or ""
            if self.marker in name:
                self.findings.append(f"attribute name from the payload on <{tag}>: {name}")
            if name.startswith("on") and self.marker in value:
                self.findings.append(f"event handler on <{tag}>: {name}={value!r}")
            if name == "style" and self.marker in value:
                self.findings.append(f"style attribute on <{tag}>: {value!r}")
            if name in URL_ATTRS:
                # As a browser's URL parser does: drop tabs and newlines anywhere, then
                # control characters and spaces at either end. Inner spaces stay (and make
                # "java script:" a harmless relative link).
                url = re.sub(r"[\t\n\r]", "", value).strip(_EDGE).lower()
                # data: images and icons are the page's own; data: documents never are.
                data_ok = url.startswith("data:") and tag in {"img", "link"}
                if url.startswith(BAD_SCHEMES) and not data_ok:
                    self.findings.append(f"dangerous URL on <{tag} {name}>: {value!r}")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._raw_text_tag:
            self._raw_text_tag = None

    def handle_data(self, data):
        if self._raw_text_tag and self.marker in data:
            self.findings.append(f"payload inside <{self._raw_text_tag}>: {data[:80]!r}")

    def handle_comment(self, data):
        # A comment the payload opened could swallow the rest of the page.
        if self.marker in data:
            self.findings.append(f"payload inside an HTML comment: {data[:80]!r}")


def active_payload(html: str, marker: str) -> list[str]:
    """What, if anything, of a payload carrying `marker` became live markup."""
    finder = _Finder(marker)
    finder.feed(html)
    finder.close()
    return finder.findings
