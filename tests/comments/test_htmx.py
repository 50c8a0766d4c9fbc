"""htmx: "Reply" opens the form in place; posting swaps in the comment or the notice."""

import re

from comments.models import Comment
from tests.comments.helpers import (
    add,
    approved_commenter,
    enclosing_comment_ids,
    form_data,
    post_url,
)

HX = {"HTTP_HX_REQUEST": "true"}


def test_reply_link_asks_htmx_for_the_form_under_the_comment(client, poll):
    comment = add(poll)
    html = client.get(f"/polls/{poll.slug}/").content.decode()
    assert (
        f'data-hx-get="/comments/{comment.pk}/reply/" data-hx-target="#reply-slot-{comment.pk}"'
        in html
    )
    assert f'id="reply-slot-{comment.pk}"' in html


def test_reply_form_partial_is_just_the_form_for_that_comment(client, poll):
    comment = add(poll, name="Bea")
    response = client.get(f"/comments/{comment.pk}/reply/", **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="reply-form"' in html
    assert f'name="reply_to" value="{comment.pk}"' in html
    assert "Reply to Bea" in html
    assert "Post comment" in html


def test_reply_form_url_without_htmx_is_a_page_with_the_comment_and_the_form(client, poll):
    comment = add(poll, name="Bea", body="What I think.")
    response = client.get(f"/comments/{comment.pk}/reply/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Reply to Bea" in html
    assert "What I think." in html
    assert 'id="reply-form"' in html and f'name="reply_to" value="{comment.pk}"' in html


def test_htmx_post_of_a_held_comment_shows_it_to_its_author_without_a_reload(client, poll):
    response = client.post(post_url(poll), form_data(client), **HX)
    html = response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="discussion"')
    mine = html.split(f'id="comment-{comment.pk}"')[1].split("</article>")[0]
    assert 'role="status"' in mine
    assert "Your comment is awaiting moderation" in mine
    assert "I think it is learning with others." in mine


def test_htmx_post_of_a_published_reply_inserts_it_under_its_parent(client, poll):
    parent = add(poll, name="Bea")
    approved_commenter(poll, client)
    response = client.post(
        post_url(poll), form_data(client, reply_to=parent.pk, body="Agreed!"), **HX
    )
    html = response.content.decode()
    reply = Comment.objects.get(body="Agreed!")
    assert "Agreed!" in html
    assert enclosing_comment_ids(html, reply.pk) == [parent.pk]
    assert "Your comment has been posted." in html


def test_htmx_post_with_errors_returns_the_form_with_the_text(client, poll):
    response = client.post(post_url(poll), form_data(client, name="", body="Keep me"), **HX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx answers in
    assert "Keep me" in html
    assert "This field is required." in html
    assert not Comment.objects.exists()


def test_htmx_post_leaves_no_message_only_the_held_comment_for_its_author(client, poll):
    client.post(post_url(poll), form_data(client), **HX)
    html = client.get(f"/polls/{poll.slug}/").content.decode()
    messages = html.split('id="messages"')[1].split("</div>")[0]
    assert "awaiting moderation" not in messages
    assert html.count("Your comment is awaiting moderation") == 1  # on the comment itself


def test_reply_form_opened_by_htmx_puts_the_cursor_in_its_first_field(client, poll, reader):
    comment = add(poll)
    html = client.get(f"/comments/{comment.pk}/reply/", **HX).content.decode()
    assert "autofocus" in re.search(r'<input[^>]*name="name"[^>]*>', html).group(0)
    client.force_login(reader)
    html = client.get(f"/comments/{comment.pk}/reply/", **HX).content.decode()
    assert "autofocus" in re.search(r"<textarea[^>]*>", html).group(0)


def test_form_with_errors_puts_the_cursor_on_the_first_problem(client, poll):
    html = client.post(post_url(poll), form_data(client, email="broken"), **HX).content.decode()
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', html).group(0)
    assert "autofocus" in email_input
    assert html.count("autofocus") == 1


def test_the_new_comment_takes_the_focus_after_posting(client, poll):
    html = client.post(post_url(poll), form_data(client), **HX).content.decode()
    comment = Comment.objects.get()
    article = re.search(rf'<article id="comment-{comment.pk}"[^>]*>', html).group(0)
    assert "data-focus-after-swap" in article and 'tabindex="-1"' in article


def test_rate_limited_htmx_post_keeps_the_text_and_says_when_to_retry(client, poll, settings):
    settings.COMMENTS_RATE_LIMIT = 1
    client.post(post_url(poll), form_data(client, body="My first thought."), **HX)
    response = client.post(
        post_url(poll), form_data(client, body="My second, longer thought."), **HX
    )
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["HX-Reswap"] == "outerHTML"  # swapped in by socialpoll.js
    assert "Too many comments came from your network" in html
    assert "My second, longer thought." in html
    assert Comment.objects.count() == 1
