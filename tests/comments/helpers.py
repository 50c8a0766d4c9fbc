"""Small helpers for the comments tests."""

import re
import time
from html.parser import HTMLParser

from comments.forms import form_token
from comments.models import Comment
from comments.posting import comment_place
from tests.factories import voter_key_of


def served_token(client, *, seconds_ago: float = 60) -> str:
    """The "served at" token of a form this browser (test Client) was shown a while ago."""
    return form_token(voter_key=voter_key_of(client), served_at=time.time() - seconds_ago)


def form_data(client, **overrides) -> dict:
    """What this browser posts, from a form served a minute ago (people take time to type)."""
    data = {
        "name": "Ada",
        "email": "ada@example.com",
        "website": "",
        "body": "I think it is learning with others.",
        "served": served_token(client),
        "homepage": "",
    }
    data.update(overrides)
    return data


def post_url(poll) -> str:
    return f"/polls/{poll.slug}/comments/"


def add(poll, *, parent=None, status=Comment.Status.APPROVED, name="Bea", body="Hello", **kw):
    """A comment placed straight in the tree (no policy, no email), to build threads fast."""
    return comment_place(poll=poll, parent=parent, name=name, body=body, status=status, **kw)


def approved_commenter(poll, client=None, *, email="ada@example.com", key: str = ""):
    """A browser (test Client, or a voter key) that has had a comment approved before, so
    the first-time rule lets it in."""
    key = key or voter_key_of(client)
    return add(poll, name="Ada", email=email, body="An earlier comment.", author_key=key)


def article_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', html)]


class _Element:
    __slots__ = ("ancestors", "attrs", "tag")

    def __init__(self, tag: str, attrs: dict, ancestors: list[tuple[str, dict]]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.ancestors = ancestors


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[_Element] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append(_Element(tag, attributes, list(self.stack)))
        if tag not in _VOID:
            self.stack.append((tag, attributes))

    def handle_startendtag(self, tag, attrs) -> None:
        self.elements.append(_Element(tag, {n: v or "" for n, v in attrs}, list(self.stack)))

    def handle_endtag(self, tag) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break


def elements(html: str) -> list[_Element]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def enclosing_comment_ids(html: str, pk: int) -> list[int]:
    """The ids of the comment articles that contain comment `pk`'s article, outermost first."""
    for element in elements(html):
        if element.tag == "article" and element.attrs.get("id") == f"comment-{pk}":
            return [
                int(attrs["id"].removeprefix("comment-"))
                for tag, attrs in element.ancestors
                if tag == "article" and attrs.get("id", "").startswith("comment-")
            ]
    raise AssertionError(f"comment {pk} is not on the page")


_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}
_SAFE_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def unsafe_markup(html: str) -> list[str]:
    """Every <script> (other than our own same-origin script files), on* attribute or link
    whose scheme is not http, https or mailto, as a browser would parse the HTML."""
    problems = []
    for element in elements(html):
        src = element.attrs.get("src", "")
        if element.tag == "script" and not (src.startswith("/") and not src.startswith("//")):
            problems.append(f"<script> {element.attrs}")
        for name, value in element.attrs.items():
            if name.lower().startswith("on"):
                problems.append(f"<{element.tag} {name}={value!r}>")
            if name.lower() in _URL_ATTRIBUTES and value:
                # As the URL standard parses it: C0 controls and spaces trimmed from both
                # ends, tabs and newlines dropped anywhere (so "java\tscript:" is JavaScript).
                squeezed = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(33)))))
                squeezed = squeezed.lower()
                match = _SCHEME.match(squeezed)
                if match and match.group(1) not in _SAFE_SCHEMES:
                    problems.append(f"<{element.tag} {name}={value!r}>")
    return problems


def build_thread(poll, size: int, *, seed: int = 1, max_depth: int = 5) -> list[Comment]:
    """A realistic thread of `size` comments at mixed depths, written in bulk: mostly
    approved, with held (pending), spam and removed ones, some removed ones keeping
    approved replies (tombstones)."""
    import random

    from polls.markup import render_markdown

    rng = random.Random(seed)
    body = "I think *social* learning is learning **with** others: https://example.com/x"
    body_html = render_markdown(body)
    specs: list[tuple[int | None, int, str]] = []  # (parent index, depth, status)
    open_parents: list[int] = []
    for index in range(size):
        if not open_parents or rng.random() < 0.3:
            parent, depth = None, 0
        else:
            parent = rng.choice(open_parents)
            depth = specs[parent][1] + 1
        roll = rng.random()
        status = (
            Comment.Status.PENDING
            if roll < 0.08
            else Comment.Status.REMOVED
            if roll < 0.14
            else Comment.Status.SPAM
            if roll < 0.18
            else Comment.Status.APPROVED
        )
        if index == 0:
            status = Comment.Status.REMOVED  # with an approved reply next: a tombstone
        if index == 1:
            parent, depth, status = 0, 1, Comment.Status.APPROVED
        if index == 2:
            status = Comment.Status.PENDING
        specs.append((parent, depth, status))
        if depth + 1 < max_depth:
            open_parents.append(index)
    paths: list[str] = []
    next_position: dict[int | None, int] = {}
    for parent, _depth, _status in specs:
        position = next_position.get(parent, 0) + 1
        next_position[parent] = position
        paths.append((paths[parent] if parent is not None else "") + f"{position:06d}")
    created: list[Comment | None] = [None] * size
    for layer in range(max_depth):
        batch = []
        for index, (parent, depth, status) in enumerate(specs):
            if depth != layer:
                continue
            comment = Comment(
                poll=poll,
                parent=created[parent] if parent is not None else None,
                in_reply_to=created[parent] if parent is not None else None,
                path=paths[index],
                depth=depth,
                name=f"Person {index}",
                email=f"person{index}@example.com",
                body=body,
                body_html=body_html,
                status=status,
            )
            batch.append((index, comment))
        Comment.objects.bulk_create([c for _, c in batch], batch_size=500)
        for index, comment in batch:
            created[index] = comment
    return created


class _FormFields(HTMLParser):
    """What a browser would post from the first form with a submit button named `_save`:
    text inputs, hidden inputs, checked boxes, textareas and selected options."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = {name: value if value is not None else "" for name, value in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            else:
                self.data[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    """The values a browser would send from the page's form, as the page shows them."""
    parser = _FormFields()
    # A textarea's first newline belongs to the markup, not to its value.
    parser.feed(re.sub(r"(<textarea[^>]*>)\r?\n", r"\1", html))
    parser.close()
    return parser.data
