"""The poll page costs the same few queries whatever the size of its thread."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from polls import pagecache
from tests.comments.helpers import article_ids, build_thread
from tests.factories import make_poll

# A reader's page: at most 8 queries, whatever the thread. A signed-in moderator's page
# also pays Django's own per-request lookups (the session, the user, the user's and the
# groups' permissions) and the pending count only moderators see. Both count the comments
# supporting each choice (one grouped query, cached under the discussion's version).
# A moderator (or the poll's trainer) also gets their queue: one query for the comments
# awaiting review (comments/_review_queue.html), and the whole moderation queue counted for
# the navigation (one COUNT, comments/context_processors.py). With a cold cache both also
# look up the credits of promoted choices ("suggested by", cached under the version).
# Counted: session, poll, user, own ballot, choices, credits, counts, two permission
# lookups, the queue's size, stance counts, the thread, the poll's pending and held
# counts, the trainer's queue, and the website on their profile (the comment form offers
# "Show my latest blog post" only with one): 15, whatever the thread's length.
PAGE_QUERY_BUDGET = {"anonymous": 8, "moderator": 15}


def queries_for(client, poll) -> int:
    cache.clear()
    pagecache.clear_local()  # the page as rendered, not a worker's stored copy
    with CaptureQueriesContext(connection) as captured:
        response = client.get(poll.get_absolute_url())
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def threads(trainer):
    small, big = make_poll(author=trainer), make_poll(author=trainer)
    build_thread(small, 10)
    build_thread(big, 1000)
    statuses = set(Comment.objects.filter(poll=big).values_list("status", flat=True))
    assert statuses == {"approved", "pending", "removed", "spam"}
    return small, big


@pytest.mark.parametrize("reader_kind", ["anonymous", "moderator"])
def test_poll_page_queries_are_the_same_for_10_and_1000_comments(
    client, moderator, threads, reader_kind
):
    if reader_kind == "moderator":
        client.force_login(moderator)
    small, big = threads
    queries_for(client, small)  # warm-up: session and per-process lookups
    assert queries_for(client, big) == queries_for(client, small)


@pytest.mark.parametrize("reader_kind", ["anonymous", "moderator"])
def test_poll_page_with_a_1000_comment_thread_stays_within_budget(
    client, moderator, threads, reader_kind, django_assert_max_num_queries
):
    if reader_kind == "moderator":
        client.force_login(moderator)
    _small, big = threads
    cache.clear()
    pagecache.clear_local()
    with django_assert_max_num_queries(PAGE_QUERY_BUDGET[reader_kind]):
        response = client.get(big.get_absolute_url())
    html = response.content.decode()
    assert len(article_ids(html)) > 50  # 50 top-level subtrees with their replies
    assert "This comment was removed." in html


def test_moderator_sees_how_many_comments_await_moderation(client, moderator, threads):
    _small, big = threads
    client.force_login(moderator)
    pending = Comment.objects.filter(poll=big, status="pending").count()
    html = client.get(big.get_absolute_url()).content.decode()
    assert f"{pending} comments awaiting moderation" in html


def test_readers_do_not_see_the_moderation_count(client, reader, threads):
    _small, big = threads
    client.force_login(reader)
    assert "awaiting moderation" not in client.get(big.get_absolute_url()).content.decode()
