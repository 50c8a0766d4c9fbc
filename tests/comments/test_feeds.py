"""RSS and Atom feeds of a poll's approved comments."""

import xml.etree.ElementTree as ET

from comments.models import Comment
from tests.comments.helpers import add

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's feed, under test


def test_rss_feed_lists_approved_comments_only(client, poll):
    add(poll, name="Bea", body="Published words")
    add(poll, name="Held", body="Held words", status=Comment.Status.PENDING)
    response = client.get(f"/polls/{poll.slug}/comments/rss/")
    assert response.status_code == 200
    root = parse(response.content)
    items = root.findall("./channel/item")
    assert len(items) == 1
    assert items[0].findtext("title") == f"Bea on “{poll.question}”"
    assert "Published words" in items[0].findtext("description")
    assert b"Held words" not in response.content


def test_atom_feed_lists_approved_comments_with_author_names(client, poll):
    add(poll, name="Bea", email="bea@example.com", body="Published words")
    response = client.get(f"/polls/{poll.slug}/comments/atom/")
    root = parse(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "Bea"


def test_feeds_never_contain_email_addresses(client, poll):
    add(poll, name="Bea", email="bea.private@example.com")
    for kind in ["rss", "atom"]:
        assert b"bea.private" not in client.get(f"/polls/{poll.slug}/comments/{kind}/").content


def test_feed_links_point_at_comment_permalinks(client, poll):
    comment = add(poll)
    root = parse(client.get(f"/polls/{poll.slug}/comments/rss/").content)
    assert root.find("./channel/item/link").text.endswith(f"/comments/{comment.pk}/")


def test_feed_of_a_draft_poll_is_not_found(client, poll):
    poll.status = poll.Status.DRAFT
    poll.save()
    assert client.get(f"/polls/{poll.slug}/comments/rss/").status_code == 404


def test_poll_page_links_to_both_feeds(client, poll):
    html = client.get(f"/polls/{poll.slug}/").content.decode()
    assert f'href="/polls/{poll.slug}/comments/rss/"' in html
    assert f'href="/polls/{poll.slug}/comments/atom/"' in html
