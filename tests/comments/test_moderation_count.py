"""The moderation queue's size costs a query only where a moderator sees it."""

from unittest import mock

import pytest
from django.contrib.auth.models import Permission

from comments import moderation
from comments.models import Comment
from comments.posting import comment_place
from tests.factories import make_poll, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll():
    poll = make_poll()
    comment_place(
        poll=poll,
        parent=None,
        name="Ana",
        email="ana@example.com",
        body="Held.",
        status=Comment.Status.PENDING,
    )
    return poll


def test_readers_and_staff_who_cannot_moderate_never_count_the_queue(client, poll):
    counting = mock.patch.object(moderation, "pending_count", side_effect=AssertionError)
    with counting:
        assert "Moderation" not in client.get(poll.get_absolute_url()).content.decode()
        client.force_login(make_user("clerk", is_staff=True))
        assert "Moderation" not in client.get(poll.get_absolute_url()).content.decode()


def test_a_moderator_sees_the_count_once_per_page(client, poll):
    user = make_user("moderator", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="comments"))
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'class="badge text-bg-warning">1</span>' in html
    with mock.patch.object(moderation, "pending_count", wraps=moderation.pending_count) as count:
        client.get("/")
    assert count.call_count == 1
