"""The moderate_comments command uses the same services as the admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comments.models import Comment, ModerationEvent
from tests.comments.helpers import add


def run(*args) -> str:
    out = StringIO()
    call_command("moderate_comments", *args, stdout=out)
    return out.getvalue()


def test_lists_the_pending_queue_with_reasons(poll):
    add(poll, name="Waiting Wanda", status="pending", reasons=["3 links (more than 2)"])
    add(poll, name="Published Pat")
    output = run()
    assert "Waiting Wanda" in output and "3 links (more than 2)" in output
    assert "Published Pat" not in output
    assert "1 pending." in output


def test_approves_and_marks_spam_by_id_with_a_log_entry(poll):
    good = add(poll, status="pending")
    bad = add(poll, status="pending")
    run("--approve", str(good.pk), "--spam", str(bad.pk))
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == (Comment.Status.APPROVED, Comment.Status.SPAM)
    assert ModerationEvent.objects.filter(comment=good, to_status="approved").exists()


def test_unknown_id_is_a_clear_error(poll):
    with pytest.raises(CommandError, match="No comment with id 999"):
        run("--remove", "999")
