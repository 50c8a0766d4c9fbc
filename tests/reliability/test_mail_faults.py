"""The mail server being down loses neither the comment nor its notification.

Real pieces end to end: the comment form over HTTP, django-tasks' database backend, the
`db_worker` command, Django's SMTP backend and a small SMTP server on 127.0.0.1 that is
off at first and switched on later.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from tests.comments.helpers import served_token
from tests.factories import make_poll, make_user
from tests.reliability.smtp import SMTPServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)

PORT = free_port()
DELAYS = (60, 300)

mail_settings = override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=PORT,
    EMAIL_TIMEOUT=5,
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    COMMENTS_HOLD_FIRST_TIME_ANONYMOUS=False,
    COMMENTS_DELIVERY_RETRY_DELAYS=DELAYS,
)


def run_worker() -> None:
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)


def time_passes() -> None:
    """The retry delay has gone by (instead of sleeping for minutes)."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def post_comment(client, poll, body="A definition of my own.") -> Comment:
    response = client.post(
        f"/polls/{poll.slug}/comments/",
        {
            "name": "Ada",
            "email": "ada@example.com",
            "body": body,
            "served": served_token(client),
        },
    )
    assert response.status_code == 302
    return Comment.objects.get(body=body)


def tasks_by_status() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in DBTaskResult.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


@pytest.fixture
def poll():
    return make_poll(author=make_user("author"))


@mail_settings
def test_comment_is_kept_and_notification_sent_once_the_mail_server_is_back(client, poll):
    comment = post_comment(client, poll)
    assert comment.status == Comment.Status.APPROVED

    run_worker()  # the mail server is down: connection refused
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert tasks_by_status() == {"FAILED": 1, "READY": 1}
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after > timezone.now() + timedelta(seconds=DELAYS[0] - 10)

    run_worker()  # too early: the retry waits for its time
    assert tasks_by_status() == {"FAILED": 1, "READY": 1}

    with SMTPServer(PORT) as server:
        time_passes()
        run_worker()
    assert tasks_by_status() == {"FAILED": 1, "SUCCESSFUL": 1}
    assert len(server.received) == 1
    recipients, message = server.received[0]
    assert recipients == ["author@example.com"]
    assert poll.question in message["Subject"]
    assert f"/comments/{comment.pk}/" in message.get_body(("plain",)).get_content()


@mail_settings
def test_delivery_gives_up_after_the_last_delay_and_keeps_the_failures_visible(client, poll):
    post_comment(client, poll)
    for _ in range(len(DELAYS) + 2):
        time_passes()
        run_worker()
    # One first attempt plus one retry per delay, all failed, none left waiting.
    assert tasks_by_status() == {"FAILED": len(DELAYS) + 1}
    assert Comment.objects.count() == 1


@mail_settings
def test_a_bug_in_the_task_is_not_retried(client, poll, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("comments.notifications._send", broken)
    post_comment(client, poll)
    time_passes()
    run_worker()
    assert tasks_by_status() == {"FAILED": 1}
