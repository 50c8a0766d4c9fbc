"""Threads are paged by top-level comment; a subtree is never split; permalinks find it."""

import re

from comments.models import Comment
from tests.comments.helpers import add, article_ids


def numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<span class="comment-number">(\d+)\.</span>', html)]


def test_thread_is_paged_by_top_level_comment(client, poll, settings):
    settings.COMMENTS_PER_PAGE = 2
    for _ in range(5):
        add(poll)
    first = client.get(f"/polls/{poll.slug}/").content.decode()
    third = client.get(f"/polls/{poll.slug}/?cpage=3").content.decode()
    assert numbers(first) == [1, 2]
    assert numbers(third) == [5]
    assert "Comments page 1 of 3" in first
    assert "?cpage=2#discussion" in first


def test_a_page_never_splits_a_subtree(client, poll, settings):
    settings.COMMENTS_PER_PAGE = 1
    top = add(poll)
    reply = add(poll, parent=top)
    deep = add(poll, parent=reply)
    second_top = add(poll)
    first = article_ids(client.get(f"/polls/{poll.slug}/").content.decode())
    second = article_ids(client.get(f"/polls/{poll.slug}/?cpage=2").content.decode())
    assert first == [top.pk, reply.pk, deep.pk]
    assert second == [second_top.pk]


def test_permalink_to_a_deep_reply_lands_on_its_page(client, poll, settings):
    settings.COMMENTS_PER_PAGE = 2
    tops = [add(poll) for _ in range(5)]
    reply = add(poll, parent=tops[4])
    deep = add(poll, parent=reply)
    response = client.get(deep.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"/polls/{poll.slug}/?cpage=3#comment-{deep.pk}"
    html = client.get(response["Location"]).content.decode()
    assert f'<article id="comment-{deep.pk}"' in html


def test_permalink_to_a_first_page_comment_has_no_page_number(client, poll):
    comment = add(poll)
    response = client.get(comment.get_absolute_url())
    assert response["Location"] == f"/polls/{poll.slug}/#comment-{comment.pk}"


def test_permalink_to_a_hidden_comment_is_not_found(client, poll):
    comment = add(poll, status=Comment.Status.SPAM)
    assert client.get(comment.get_absolute_url()).status_code == 404


def test_page_out_of_range_or_nonsense_shows_a_real_page(client, poll, settings):
    settings.COMMENTS_PER_PAGE = 1
    add(poll)
    last = add(poll)
    for query in ["?cpage=99", "?cpage=abc", "?cpage=-1", "?cpage=99999999999999999999"]:
        response = client.get(f"/polls/{poll.slug}/{query}")
        assert response.status_code == 200
    assert article_ids(client.get(f"/polls/{poll.slug}/?cpage=99").content.decode()) == [last.pk]


def test_numbering_continues_across_pages(client, poll, settings):
    settings.COMMENTS_PER_PAGE = 2
    for _ in range(3):
        add(poll)
    assert numbers(client.get(f"/polls/{poll.slug}/?cpage=2").content.decode()) == [3]
