"""The thread's HTML is built in Python for speed; comments/_thread.html stays its reference."""

import pytest
from django.template.loader import render_to_string

from comments.models import Comment
from comments.thread import thread_page
from comments.thread_html import thread_html
from tests.comments.helpers import add


@pytest.fixture
def thread(poll, trainer, settings):
    settings.COMMENTS_MAX_DEPTH = 3
    first = add(
        poll, name="Ada <b>", body="One *two*\n\n- a\n- b", website="https://a.example/?x=1&y=2"
    )
    reply = add(poll, parent=first, name="Morgan", user=trainer, body="Author's reply")
    add(poll, parent=reply, name="Cy", body="Deepest")
    removed = add(poll, name="Dee", body="Gone", status=Comment.Status.REMOVED)
    add(poll, parent=removed, name="Eve", body="Survives its parent")
    held = add(poll, name="Fay", body="Held", status=Comment.Status.PENDING)
    add(poll, parent=held, name="Gus", body="Under a held comment")
    add(poll, name="Hal", body='Quotes " and <script>alert(1)</script>')
    return poll


@pytest.mark.parametrize("page", [1, 2])
def test_python_built_thread_equals_the_template(thread, page):
    nodes = thread_page(poll=thread).nodes
    expected = render_to_string(
        "comments/_thread.html", {"nodes": nodes, "poll": thread, "page": page}
    )
    assert thread_html(nodes, page=page) == expected


def test_empty_thread_equals_the_template(poll):
    expected = render_to_string("comments/_thread.html", {"nodes": [], "poll": poll, "page": 1})
    assert thread_html([], page=1) == expected


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"])
@pytest.mark.parametrize(
    "when",
    ["2026-01-05T23:59:59+00:00", "2026-07-31T00:30:00+00:00", "2027-12-09T09:05:00+00:00"],
)
def test_dates_equal_the_template_in_every_time_zone(poll, settings, zone, when):
    from datetime import datetime

    from django.utils import timezone

    settings.TIME_ZONE = zone
    comment = add(poll, name="Ada", body="When?")
    Comment.objects.filter(pk=comment.pk).update(created_at=datetime.fromisoformat(when))
    with timezone.override(zone):
        nodes = thread_page(poll=poll).nodes
        expected = render_to_string(
            "comments/_thread.html", {"nodes": nodes, "poll": poll, "page": 1}
        )
        assert thread_html(nodes, page=1) == expected
