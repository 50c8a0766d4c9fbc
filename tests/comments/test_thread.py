"""The thread as comments/thread.py prepares it and comments/_thread.html prints it."""

from datetime import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone

from comments.models import Comment
from comments.thread import thread_page
from tests.comments.helpers import add, article_ids


@pytest.fixture
def thread(poll, trainer, settings):
    settings.COMMENTS_MAX_DEPTH = 3
    first = add(
        poll, name="Ada <b>", body="One *two*\n\n- a\n- b", website="https://a.example/?x=1&y=2"
    )
    reply = add(poll, parent=first, name="Morgan", user=trainer, body="Author's reply")
    deepest = add(poll, parent=reply, name="Cy", body="Deepest")
    removed = add(poll, name="Dee", body="Gone", status=Comment.Status.REMOVED)
    survivor = add(poll, parent=removed, name="Eve", body="Survives its parent")
    held = add(poll, name="Fay", body="Held", status=Comment.Status.PENDING)
    add(poll, parent=held, name="Gus", body="Under a held comment", status=Comment.Status.PENDING)
    last = add(poll, name="Hal", body='Quotes " and <script>alert(1)</script>')
    return poll, {
        "first": first,
        "reply": reply,
        "deepest": deepest,
        "removed": removed,
        "survivor": survivor,
        "held": held,
        "last": last,
    }


def render(poll, **kwargs) -> str:
    page = thread_page(poll=poll, **kwargs)
    return render_to_string("comments/_thread.html", {"nodes": page.nodes, "poll": poll})


def test_replies_nest_inside_their_parents_and_hidden_comments_keep_their_place(thread):
    poll, c = thread
    html = render(poll)
    assert article_ids(html) == [
        c["first"].pk,
        c["reply"].pk,
        c["deepest"].pk,
        c["removed"].pk,
        c["survivor"].pk,
        c["last"].pk,
    ]
    assert html.count("<article") == html.count("</article>")
    reply_at = html.index(f'id="comment-{c["reply"].pk}"')
    assert html.rindex("<article", 0, reply_at) > html.index(f'id="comment-{c["first"].pk}"')
    assert "This comment was removed." in html
    assert "Gone" not in html and "Held" not in html and "Under a held comment" not in html


def test_the_polls_author_is_marked_and_names_link_to_websites(thread):
    poll, c = thread
    html = render(poll)
    reply = html.split(f'id="comment-{c["reply"].pk}"')[1].split("<article")[0]
    assert "Author</span>" in reply
    assert '<a href="https://a.example/?x=1&amp;y=2" rel="nofollow ugc">Ada &lt;b&gt;</a>' in html
    assert "<script>alert(1)</script>" not in html


def test_a_readers_own_held_comment_shows_to_them_marked_as_awaiting(thread):
    poll, c = thread
    html = render(poll, own={c["held"].pk})
    held = html.split(f'id="comment-{c["held"].pk}"')[1].split("</article>")[0]
    assert "Held" in held
    assert "Awaiting moderation" in held
    assert "comment-reply-link" not in held  # no replies to a comment nobody else sees
    assert "Awaiting moderation" not in render(poll)


def test_top_level_comments_are_numbered_across_pages(thread, settings):
    poll, _ = thread
    settings.COMMENTS_PER_PAGE = 2
    second_page = thread_page(poll=poll, page=2)
    assert [node.number for node in second_page.nodes if node.depth == 0] == [3]
    assert second_page.num_pages == 2


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"])
@pytest.mark.parametrize(
    "when",
    ["2026-01-05T23:59:59+00:00", "2026-07-31T00:30:00+00:00", "2027-12-09T09:05:00+00:00"],
)
def test_dates_read_as_djangos_date_filter_in_every_time_zone(poll, zone, when):
    created = datetime.fromisoformat(when)
    comment = add(poll, name="Ada", body="When?")
    Comment.objects.filter(pk=comment.pk).update(created_at=created)
    with timezone.override(zone):
        node = thread_page(poll=poll).nodes[0]
        local = timezone.localtime(created)  # as templates show an aware datetime
        assert node.iso == date_filter(local, "Y-m-d\\TH:i:sO")
        assert node.when == date_filter(local, "j F Y, H:i")
