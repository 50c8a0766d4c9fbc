"""Posting comments and replies through the form, as a reader's browser does (no JS)."""

import re

from comments.models import Comment
from tests.comments.helpers import (
    add,
    approved_commenter,
    enclosing_comment_ids,
    form_data,
    post_url,
)


def page(client, poll, query=""):
    response = client.get(f"/polls/{poll.slug}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def label_texts(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>|\*", "", label).strip()
        for label in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    ]


def test_anonymous_form_has_name_email_website_comment_and_notify(client, poll):
    labels = label_texts(page(client, poll))
    for label in ["Name", "Email", "Website", "Comment", "Notify me of replies"]:
        assert label in labels
    assert '<button type="submit" class="btn btn-primary">Post comment</button>' in page(
        client, poll
    )


def test_signed_in_form_asks_only_for_the_comment(client, poll, reader):
    client.force_login(reader)
    labels = label_texts(page(client, poll))
    assert "Comment" in labels
    assert "Name" not in labels and "Email" not in labels and "Website" not in labels


def test_first_time_anonymous_comment_is_held_and_the_person_sees_it_where_they_land(client, poll):
    response = client.post(post_url(poll), form_data(client), follow=True)
    html = response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith(f"#comment-{comment.pk}")
    mine = html.split(f'<article id="comment-{comment.pk}"')[1].split("</article>")[0]
    assert "I think it is learning with others." in mine
    assert 'role="status"' in mine and "Your comment is awaiting moderation" in mine


def test_a_held_comment_is_shown_to_its_author_only(client, poll):
    client.post(post_url(poll), form_data(client, body="Only mine for now."))
    assert "Only mine for now." in page(client, poll)  # the same browser, after a reload
    from django.test import Client

    assert "Only mine for now." not in page(Client(), poll)


def test_returning_commenter_is_published_and_lands_on_the_comment(client, poll):
    approved_commenter(poll, client)
    response = client.post(post_url(poll), form_data(client, body="Second thoughts."), follow=True)
    comment = Comment.objects.get(body="Second thoughts.")
    assert comment.status == Comment.Status.APPROVED
    assert response.redirect_chain[-1][0].endswith(f"#comment-{comment.pk}")
    html = response.content.decode()
    assert "Second thoughts." in html
    assert f'<article id="comment-{comment.pk}"' in html


def test_signed_in_reader_posts_as_themselves(client, poll, reader):
    reader.first_name = "Rita"
    reader.save()
    client.force_login(reader)
    client.post(post_url(poll), form_data(client, name="Someone Else"))
    comment = Comment.objects.get()
    assert comment.name == "Rita"
    assert comment.user == reader


def test_form_error_comes_back_with_the_persons_text(client, poll):
    response = client.post(
        post_url(poll), form_data(client, email="not-an-email", body="My *precious* words")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "My *precious* words" in html
    assert "Enter a valid email address." in html
    assert not Comment.objects.exists()


def test_over_long_comment_is_refused_with_a_clear_error(client, poll, settings):
    response = client.post(
        post_url(poll), form_data(client, body="x" * (settings.COMMENTS_MAX_LENGTH + 1))
    )
    assert response.status_code == 400
    assert f"at most {settings.COMMENTS_MAX_LENGTH:,} characters" in response.content.decode()
    assert not Comment.objects.exists()


def test_over_long_comment_keeps_its_text_and_says_by_how_much(client, poll, settings):
    settings.COMMENTS_MAX_LENGTH = 20
    body = "a" * 15 + " and the rest"  # 28 characters
    response = client.post(post_url(poll), form_data(client, body=body))
    html = response.content.decode()
    assert response.status_code == 400
    assert f"{body}</textarea>" in html  # all of it, not cut
    assert "Please shorten it by 8 characters." in html
    textarea = html[html.index("<textarea") : html.index("</textarea>")]
    assert " maxlength=" not in textarea  # the browser would cut a paste without a word


def test_a_line_break_counts_as_one_character(settings):
    from comments.posting import comment_body_check

    settings.COMMENTS_MAX_LENGTH = 3
    assert comment_body_check(body="a\r\nb") == "a\r\nb"


def test_empty_comment_is_refused(client, poll):
    response = client.post(post_url(poll), form_data(client, body="   "))
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_website_must_be_http_or_https(client, poll):
    response = client.post(post_url(poll), form_data(client, website="javascript:alert(1)"))
    assert response.status_code == 400
    assert response.content.decode().count("Enter a valid URL.") == 1  # said once


def test_honeypot_post_is_answered_like_a_held_one_but_not_kept(client, poll):
    response = client.post(
        post_url(poll), form_data(client, homepage="http://spam.example"), follow=True
    )
    assert "Your comment is awaiting moderation" in response.content.decode()
    assert not Comment.objects.exists()


def test_form_posted_faster_than_a_person_types_is_refused_with_text_kept(
    client, poll, monkeypatch
):
    import time
    from types import SimpleNamespace

    from comments import forms
    from tests.factories import voter_key_of

    # The form's clock stands still, so the form is posted the instant it was served: a
    # slow run taking COMMENTS_MIN_SUBMIT_SECONDS between the two would read as a person.
    now = time.time()
    monkeypatch.setattr(forms, "time", SimpleNamespace(time=lambda: now))
    served = forms.form_token(voter_key=voter_key_of(client))
    response = client.post(post_url(poll), form_data(client, served=served, body="Too quick"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "quicker than anyone can type" in html
    assert "Too quick" in html
    assert not Comment.objects.exists()


def test_tampered_form_timestamp_is_refused(client, poll):
    response = client.post(post_url(poll), form_data(client, served="12345"))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Comment.objects.exists()


def test_too_many_posts_from_one_address_get_429_with_retry_after(client, poll, settings):
    settings.COMMENTS_RATE_LIMIT = 2
    for _ in range(2):
        client.post(post_url(poll), form_data(client))
    response = client.post(post_url(poll), form_data(client))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Comment.objects.count() == 2


def test_a_workshop_room_of_30_behind_one_address_can_all_comment(poll):
    from django.test import Client

    for number in range(30):
        browser = Client(REMOTE_ADDR="203.0.113.7")
        response = browser.post(
            post_url(poll),
            form_data(browser, name=f"Learner {number}", email=f"l{number}@example.com"),
        )
        assert response.status_code == 302, response.status_code
    assert Comment.objects.filter(poll=poll).count() == 30


def test_commenting_on_a_draft_poll_is_not_found(client, poll):
    poll.status = poll.Status.DRAFT
    poll.save()
    response = client.post(post_url(poll), form_data(client))
    assert response.status_code == 404


def test_reply_link_without_javascript_opens_a_page_with_that_comment_and_the_form(client, poll):
    comment = add(poll, name="Bea", body="Bea's words.")
    html = page(client, poll)
    article = html.split(f'<article id="comment-{comment.pk}"')[1].split("</article>")[0]
    href = re.search(r'class="comment-reply-link" href="([^"]+)"', article).group(1)
    reply_page = client.get(href).content.decode()
    assert "Reply to Bea" in reply_page and "Bea's words." in reply_page
    assert f'name="reply_to" value="{comment.pk}"' in reply_page


def test_reply_article_sits_inside_its_parents_article(client, poll):
    parent = add(poll, name="Bea")
    approved_commenter(poll, client)
    client.post(post_url(poll), form_data(client, reply_to=parent.pk, body="A reply"))
    reply = Comment.objects.get(body="A reply")
    assert reply.parent == parent
    assert enclosing_comment_ids(page(client, poll), reply.pk) == [parent.pk]


def test_reply_to_the_deepest_level_attaches_at_that_level(client, poll, settings):
    settings.COMMENTS_MAX_DEPTH = 3
    top = add(poll)
    middle = add(poll, parent=top)
    deepest = add(poll, parent=middle)
    approved_commenter(poll, client)
    client.post(post_url(poll), form_data(client, reply_to=deepest.pk, body="Deeper?"))
    reply = Comment.objects.get(body="Deeper?")
    assert reply.parent == middle
    assert reply.in_reply_to == deepest
    assert enclosing_comment_ids(page(client, poll), reply.pk) == [top.pk, middle.pk]


def test_reply_to_a_comment_that_is_not_shown_is_an_error_not_a_crash(client, poll):
    hidden = add(poll, status=Comment.Status.SPAM)
    for reply_to in [hidden.pk, 999999, "abc"]:
        response = client.post(post_url(poll), form_data(client, reply_to=reply_to, body="Hm"))
        assert response.status_code == 400
        assert "Hm" in response.content.decode()
    assert Comment.objects.count() == 1


def test_email_address_is_never_in_the_page(client, poll):
    add(poll, name="Bea", email="bea.secret@example.com", website="https://bea.example")
    html = page(client, poll)
    assert "bea.secret" not in html


def test_name_links_to_website_with_nofollow_ugc(client, poll):
    add(poll, name="Bea", website="https://bea.example/blog")
    assert '<a href="https://bea.example/blog" rel="nofollow ugc">Bea</a>' in page(client, poll)


def test_poll_author_reply_gets_the_author_badge(client, poll, trainer):
    add(poll, name="Bea")
    add(poll, name="Morgan Reyes", user=trainer)
    html = page(client, poll)
    assert html.count(">Author</span>") == 1
    assert html.index("Morgan Reyes") < html.index(">Author</span>")


def test_top_level_comments_are_numbered_in_order(client, poll):
    first = add(poll, name="One")
    add(poll, parent=first, name="Reply")
    add(poll, name="Two")
    html = page(client, poll)
    numbers = re.findall(r'<span class="comment-number">(\d+)\.</span>', html)
    assert numbers == ["1", "2"]


def test_comment_body_keeps_paragraphs_lists_and_clickable_links(client, poll):
    add(poll, body="Rules:\n\n1. One\n2. Two\n\nSee https://example.com/x")
    html = page(client, poll)
    assert "<ol>\n<li>One</li>" in html
    assert '<a href="https://example.com/x" rel="nofollow ugc noopener">' in html


def test_spoofed_forwarded_address_is_not_stored_as_an_ip(client, poll, settings):
    settings.RATELIMIT_TRUST_X_FORWARDED_FOR = True
    response = client.post(
        post_url(poll), form_data(client), HTTP_X_FORWARDED_FOR="not-an-ip, 10.0.0.1"
    )
    assert response.status_code == 302
    assert Comment.objects.get().ip_address is None
