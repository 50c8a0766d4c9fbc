"""No stored XSS: every payload, posted through the form, is harmless everywhere it shows."""

import xml.etree.ElementTree as ET

import pytest

from comments import moderation
from comments.models import Comment
from tests.comments.helpers import add, approved_commenter, form_data, post_url, unsafe_markup
from tests.payloads import PAYLOADS

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_problems(content: bytes) -> list[str]:
    """What a feed reader would render as HTML: every RSS item's title and description
    (RSS does not say, and readers do render them), and Atom's type="html" elements."""
    root = ET.fromstring(content)  # noqa: S314 - our own server's feed, under test
    problems = []
    for element in root.iter():
        is_html = (
            element.tag in {"title", "description"}
            or element.get("type") == "html"
            or element.tag == f"{ATOM}content"
        )
        if is_html:
            problems += unsafe_markup(element.text or "")
        for attribute in element.attrib.values():
            problems += unsafe_markup(f'<a href="{attribute}">') if attribute else []
    return problems


@pytest.fixture
def staff_client(client, superuser):
    from django.test import Client

    staff = Client()
    staff.force_login(superuser)
    return staff


def test_the_payload_list_is_big_enough():
    assert len(PAYLOADS) >= 50
    assert any(len(value.encode()) > 64 * 1024 for _, value in PAYLOADS)


@pytest.mark.parametrize(("field", "value"), PAYLOADS, ids=lambda v: repr(v)[:40])
def test_payload_is_harmless_on_the_page_admin_feeds_and_emails(
    client, staff_client, poll, superuser, outbox, django_capture_on_commit_callbacks, field, value
):
    parent = add(poll, name="Bea", email="bea@example.com", notify=True)
    approved_commenter(poll, client, email="mallory@example.com")
    data = form_data(client, email="mallory@example.com", reply_to=parent.pk, **{field: value})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(post_url(poll), data, follow=True)
    assert response.status_code in {200, 400}
    assert unsafe_markup(response.content.decode()) == []  # the page, or the form with errors

    comment = Comment.objects.exclude(pk=parent.pk).filter(parent=parent).first()
    if comment is not None and comment.status != Comment.Status.APPROVED:
        with django_capture_on_commit_callbacks(execute=True):
            moderation.comment_approve(comment=comment, actor=superuser)

    page = client.get(poll.get_absolute_url())
    assert unsafe_markup(page.content.decode()) == []
    for kind in ["rss", "atom"]:
        feed = client.get(f"/polls/{poll.slug}/comments/{kind}/")
        assert feed.status_code == 200
        assert b"<script" not in feed.content.lower()
        assert feed_problems(feed.content) == []
    changelist = staff_client.get("/admin/comments/comment/?status=all")
    assert unsafe_markup(changelist.content.decode()) == []
    if comment is not None:
        change = staff_client.get(f"/admin/comments/comment/{comment.pk}/change/")
        assert unsafe_markup(change.content.decode()) == []
        assert len(outbox) == 2  # the poll's author, and Bea about the reply
    for message in outbox:
        assert "<script" not in message.body.lower()
        for html, _mimetype in message.alternatives:
            assert unsafe_markup(html) == []


@pytest.mark.parametrize(
    ("field", "value"), [p for p in PAYLOADS if p[0] == "body"], ids=lambda v: repr(v)[:40]
)
def test_payload_is_harmless_when_the_form_comes_back_with_errors(client, poll, field, value):
    response = client.post(post_url(poll), form_data(client, email="broken", **{field: value}))
    assert response.status_code == 400
    assert unsafe_markup(response.content.decode()) == []


def test_payload_is_harmless_in_an_htmx_answer(client, poll):
    approved_commenter(poll, client, email="mallory@example.com")
    for field, value in PAYLOADS:
        response = client.post(
            post_url(poll),
            form_data(client, email="mallory@example.com", **{field: value}),
            HTTP_HX_REQUEST="true",
        )
        assert unsafe_markup(response.content.decode()) == [], (field, value)
