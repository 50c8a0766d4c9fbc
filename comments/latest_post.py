""" "NAME recently posted: TITLE": a commenter's latest blog post under their comment.

A commenter who gives a website may tick "Show my latest blog post". Once the
comment is published (at once, or when a moderator approves it), a background task
(comments/tasks.py) finds the site's feed (the address itself, or the RSS/Atom
``<link rel="alternate">`` on its page), reads the newest entry with feedparser, and stores
its title and link on the comment. Everything that comes back is a stranger's: the fetch
goes through core/fetch.py (public addresses only, small, quick), the title is made plain
one-line text of at most 150 characters, and the link must be http(s) on the feed's site,
the commenter's site, or a subdomain of either; anything else and nothing is shown.
"""

import hashlib
import html
import io
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import feedparser
import nh3
from django.conf import settings
from django.db import transaction

from comments.models import Comment
from core import versions
from core.cache import cache
from core.fetch import FetchRefused, fetch
from core.ratelimit import ratelimit_hit
from core.text import one_line

logger = logging.getLogger("socialpoll.latest_post")

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml"}
    | {"text/xml"}
)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TITLE_MAX = 150
URL_MAX = 500
_ALTERNATE_TYPES = {"application/rss+xml", "application/atom+xml"}
_UNSAFE_IN_URL = re.compile(
    r"[\x00-\x20\x7f-\x9f\"'<>\\^`{|}\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


@dataclass(frozen=True)
class LatestPost:
    title: str
    url: str


class _AlternateLinks(HTMLParser):
    """The feeds a page announces: ``<link rel="alternate" type="application/rss+xml">``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag != "link" or len(self.hrefs) >= 5:
            return
        found = {name.lower(): (value or "") for name, value in attrs}
        rels = found.get("rel", "").lower().split()
        kind = found.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in _ALTERNATE_TYPES and found.get("href", "").strip():
            self.hrefs.append(found["href"].strip())


def feed_links(page: bytes, base_url: str) -> list[str]:
    """The feed addresses a page links to, absolute."""
    parser = _AlternateLinks()
    parser.feed(page.decode("utf-8", errors="replace"))
    parser.close()
    return [urljoin(base_url, href) for href in parser.hrefs]


def clean_title(raw: str) -> str:
    """A feed's title as plain one-line text: no markup, no control characters or bidi
    overrides, at most 150 characters (cut with an ellipsis)."""
    # Markup goes, with what scripts and styles hold; entities become the characters.
    stripped = nh3.clean(raw or "", tags=set(), clean_content_tags={"script", "style"})
    text = one_line(html.unescape(stripped))
    if len(text) > TITLE_MAX:
        text = text[: TITLE_MAX - 1].rstrip() + "…"
    return text


def _site(host: str) -> str:
    return host.lower().rstrip(".").removeprefix("www.")


def clean_link(raw: str, *, sites: list[str], base_url: str) -> str:
    """The entry's link if it is http(s) on one of ``sites`` (a host, or a subdomain of
    it), else ""."""
    link = urljoin(base_url, (raw or "").strip())
    if not link or len(link) > URL_MAX or _UNSAFE_IN_URL.search(link):
        return ""
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    if parts.username is not None or parts.password is not None:
        return ""
    host = _site(parts.hostname)
    allowed = {_site(site) for site in sites if site}
    if not any(host == site or host.endswith(f".{site}") for site in allowed):
        return ""
    return link


def _newest(entries: list) -> object:
    dated = [e for e in entries if e.get("published_parsed") or e.get("updated_parsed")]
    if len(dated) == len(entries):
        return max(entries, key=lambda e: tuple(e.get("published_parsed") or e.updated_parsed))
    return entries[0]  # feeds list their newest first


def latest_entry(feed: bytes, *, feed_url: str, website: str) -> LatestPost | None:
    """The feed's newest entry, cleaned; None when it has none or it does not pass."""
    # A file-like object: feedparser treats bytes or a str as a file name or URL to open.
    parsed = feedparser.parse(io.BytesIO(feed), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        return None
    entry = _newest(parsed.entries)
    sites = [urlsplit(feed_url).hostname or "", urlsplit(website).hostname or ""]
    title = clean_title(entry.get("title", ""))
    link = clean_link(entry.get("link", ""), sites=sites, base_url=feed_url)
    return LatestPost(title=title, url=link) if title and link else None


def discover(website: str) -> LatestPost | None:
    """The latest post of the site at ``website`` (a feed, or a page announcing one)."""
    first = fetch(website, accept=FEED_TYPES | PAGE_TYPES)
    if first.content_type in FEED_TYPES:
        return latest_entry(first.body, feed_url=first.url, website=website)
    links = feed_links(first.body, first.url)
    if not links:
        raise FetchRefused("no_feed", first.url[:200])
    feed = fetch(links[0], accept=FEED_TYPES)
    return latest_entry(feed.body, feed_url=feed.url, website=website)


def _cache_key(website: str) -> str:
    return "latest-post:" + hashlib.sha256(website.encode()).hexdigest()[:32]


def latest_post_for(website: str) -> LatestPost | None:
    """The site's latest post, fetched at most once per COMMENTS_LATEST_POST_CACHE_SECONDS
    (a failure is remembered as long, so a broken or hostile site is not asked again)."""
    key = _cache_key(website)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return LatestPost(**cached["post"]) if cached.get("post") else None
    try:
        post = discover(website)
    except FetchRefused as refused:
        logger.info("No latest post for %r: %s", website[:200], refused)
        post = None
    stored = {"post": {"title": post.title, "url": post.url} if post else None}
    cache.set(key, stored, timeout=settings.COMMENTS_LATEST_POST_CACHE_SECONDS)
    return post


def _commenter_allowed(comment: Comment) -> bool:
    """Lookups one commenter may cause per window (their browser, else their address)."""
    who = comment.author_key or f"ip:{comment.ip_address or 'unknown'}"
    return ratelimit_hit(
        scope="latest-post",
        key=who,
        limit=settings.COMMENTS_LATEST_POST_LIMIT,
        window=settings.COMMENTS_LATEST_POST_WINDOW,
    ).allowed


def latest_post_fetch(*, comment_id: int) -> bool:
    """Find and store the latest post of a published comment's commenter, if they asked
    for it; readers see it with the poll's next version. True when one was stored."""
    comment = (
        Comment.objects.visible()
        .filter(pk=comment_id, show_latest_post=True, latest_post_hidden=False)
        .exclude(website="")
        .first()
    )
    if comment is None or not _commenter_allowed(comment):
        return False
    post = latest_post_for(comment.website)
    if post is None:
        return False
    with transaction.atomic():
        stored = Comment.objects.filter(pk=comment.pk, website=comment.website).update(
            latest_post_title=post.title, latest_post_url=post.url
        )
        if stored:
            versions.content_changed(poll_id=comment.poll_id)
    return bool(stored)
