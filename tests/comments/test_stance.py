"""Stance with a reason: a comment names the definition it supports; results count them."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import moderation
from comments.models import Comment
from polls import pagecache
from tests.comments.helpers import add, build_thread, form_data, post_url
from tests.factories import make_poll, voter_client


def support_line(html: str, choice_text: str) -> str:
    """The results row of this choice (its text up to the end of its list item)."""
    match = re.search(rf"{re.escape(choice_text)}</span>.*?</li>", html, re.S)
    assert match, f"no results row for {choice_text}"
    return match.group(0)


def test_a_comment_posted_with_a_stance_keeps_it(poll):
    client = voter_client(issued_ago=3600)
    choice = poll.choices.all()[1]
    response = client.post(post_url(poll), form_data(client, stance=str(choice.pk)))
    assert response.status_code == 302
    assert Comment.objects.get(poll=poll).stance == choice


def test_the_stance_is_optional(poll):
    client = voter_client()
    assert client.post(post_url(poll), form_data(client)).status_code == 302
    assert Comment.objects.get(poll=poll).stance is None


def test_the_form_asks_which_definition_the_comment_supports(client, poll):
    html = client.get(poll.get_absolute_url()).content.decode()
    form = html[html.index('id="comment-form"') :]
    assert "Which definition does your comment support?" in form
    for choice in poll.choices.all():
        assert f'<option value="{choice.pk}">{choice.text}</option>' in form
    assert 'for="id_stance"' in form and '<select name="stance"' in form


def test_a_choice_of_another_poll_is_refused_with_the_text_kept(poll):
    other = make_poll()
    client = voter_client()
    data = form_data(client, stance=str(other.choices.first().pk), body="My careful words")
    response = client.post(post_url(poll), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "My careful words" in html
    assert "Select a valid choice" in html
    assert not Comment.objects.exists()


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 40, "1e3"])
def test_a_tampered_stance_is_refused_not_a_500(poll, value):
    client = voter_client()
    response = client.post(post_url(poll), form_data(client, stance=value))
    assert response.status_code == 400


def test_removing_a_choice_leaves_its_comments_without_a_stance(poll):
    choice = poll.choices.last()
    comment = add(poll, stance=choice)
    choice.delete()
    comment.refresh_from_db()
    assert comment.stance is None


def test_results_count_only_approved_comments_per_choice(client, poll, moderator):
    first, second, _ = poll.choices.all()
    add(poll, stance=first)
    add(poll, stance=first)
    add(poll, stance=second)
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED):
        add(poll, stance=second, status=status)
    assert Comment.objects.stance_counts(poll) == {first.pk: 2, second.pk: 1}
    html = client.get(poll.get_absolute_url()).content.decode()
    assert f'href="/polls/{poll.slug}/?stance={first.pk}#discussion">2 comments' in html
    assert ">1 comment<" in support_line(html, second.text)
    assert "No comments supporting it yet" in support_line(html, "Something else")


def test_moderation_changes_the_counts_on_an_already_cached_page(client, poll, moderator):
    first = poll.choices.first()
    held = add(poll, stance=first, status=Comment.Status.PENDING)
    assert "No comments supporting it yet" in support_line(
        client.get(poll.get_absolute_url()).content.decode(), first.text
    )
    moderation.comment_approve(comment=held, actor=moderator)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert ">1 comment<" in support_line(html, first.text)
    moderation.comment_remove(comment=held, actor=moderator)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "No comments supporting it yet" in support_line(html, first.text)


def test_the_thread_filtered_by_stance_shows_only_approved_supporters(client, poll):
    first, second, _ = poll.choices.all()
    yes = add(poll, stance=first, body="For the first")
    reply = add(poll, parent=yes, stance=first, body="Me too, deeper down")
    other = add(poll, stance=second, body="For the second")
    held = add(poll, stance=first, status=Comment.Status.PENDING, body="Held words")
    html = client.get(f"{poll.get_absolute_url()}?stance={first.pk}").content.decode()
    assert f'id="comment-{yes.pk}"' in html and f'id="comment-{reply.pk}"' in html
    assert f'id="comment-{other.pk}"' not in html
    assert f'id="comment-{held.pk}"' not in html and "Held words" not in html
    assert "Showing the 2 comments supporting <q>" in html
    assert "Show the whole discussion" in html
    whole = client.get(poll.get_absolute_url()).content.decode()
    assert f'id="comment-{other.pk}"' in whole and "Supports <q>" in whole


@pytest.mark.parametrize("value", ["x", "0", "99999999", "1" * 30, "\u0661"])
def test_a_bad_stance_in_the_address_shows_the_whole_thread(client, poll, value):
    comment = add(poll, body="Everyone sees me")
    response = client.get(f"{poll.get_absolute_url()}?stance={value}")
    assert response.status_code == 200
    assert f'id="comment-{comment.pk}"' in response.content.decode()


def test_the_filtered_thread_is_paginated_and_its_links_keep_the_stance(client, poll, settings):
    settings.COMMENTS_PER_PAGE = 2
    first = poll.choices.first()
    for n in range(5):
        add(poll, stance=first, body=f"Supporter {n}")
        add(poll, body=f"Neutral {n}")
    url = f"{poll.get_absolute_url()}?stance={first.pk}"
    html = client.get(url).content.decode()
    assert "Comments page 1 of 3" in html
    assert f'href="?stance={first.pk}&amp;cpage=2#discussion"' in html
    page_3 = client.get(f"{url}&cpage=3").content.decode()
    assert "Supporter 4" in page_3 and "Neutral" not in page_3


def test_thread_page_queries_stay_the_same_with_10_and_1000_comments_with_stances(client, trainer):
    def queries(poll) -> int:
        cache.clear()
        pagecache.clear_local()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(poll.get_absolute_url()).status_code == 200
        return len(captured)

    counts = []
    for size in (10, 1000):
        poll = make_poll(author=trainer)
        build_thread(poll, size)
        ids = list(poll.choices.values_list("pk", flat=True))
        comments = list(Comment.objects.filter(poll=poll))
        for index, comment in enumerate(comments):
            comment.stance_id = ids[index % len(ids)]
        Comment.objects.bulk_update(comments, ["stance"], batch_size=500)
        queries(poll)  # warm-up
        counts.append(queries(poll))
        filtered = f"{poll.get_absolute_url()}?stance={ids[0]}"
        with CaptureQueriesContext(connection) as captured:
            client.get(filtered)
        counts.append(len(captured))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
