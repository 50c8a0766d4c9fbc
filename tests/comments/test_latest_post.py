""" "NAME recently posted: TITLE": finding a commenter's latest post, against a real feed
server on 127.0.0.1 (loopback fetches allowed for these tests only)."""

from xml.sax.saxutils import escape

import pytest

from comments import latest_post
from comments.latest_post import LatestPost, discover, latest_entry
from comments.models import Comment
from core.fetch import FetchRefused, fetch
from tests.comments.helpers import add, approved_commenter, form_data, post_url
from tests.feedserver import ATOM, HTML, atom, page_announcing, rss


@pytest.fixture
def blog(feed_server):
    """A blog whose home page announces its RSS feed."""
    feed_server.add("/feed/", rss(("Ten ideas for social training", feed_server.url("/ten/"))))
    feed_server.add("/", page_announcing("/feed/"), HTML)
    return feed_server


def test_an_rss_address_gives_its_newest_item(feed_server):
    url = feed_server.add(
        "/rss.xml",
        rss(
            ("Newest post", feed_server.url("/new/")),
            ("Older post", feed_server.url("/old/")),
        ),
    )
    assert discover(url) == LatestPost("Newest post", feed_server.url("/new/"))


def test_an_atom_feed_gives_its_most_recently_updated_entry(feed_server):
    url = feed_server.add(
        "/atom.xml",
        atom(
            ("Older entry", feed_server.url("/a/"), "2026-01-01T00:00:00Z"),
            ("Newer entry", feed_server.url("/b/"), "2026-03-01T00:00:00Z"),
        ),
        ATOM,
    )
    assert discover(url) == LatestPost("Newer entry", feed_server.url("/b/"))


def test_a_home_page_leads_to_the_feed_it_announces(blog):
    post = discover(blog.url("/"))
    assert post == LatestPost("Ten ideas for social training", blog.url("/ten/"))
    assert blog.paths() == ["/", "/feed/"]


def test_redirects_are_followed_up_to_three(feed_server):
    feed_server.add("/feed/", rss(("Moved", feed_server.url("/moved/"))))
    feed_server.redirect("/r3", "/feed/", 301)
    feed_server.redirect("/r2", feed_server.url("/r3"), 307)
    start = feed_server.redirect("/r1", "/r2")
    assert discover(start).title == "Moved"
    assert feed_server.paths() == ["/r1", "/r2", "/r3", "/feed/"]


def test_a_fourth_redirect_is_refused(feed_server):
    feed_server.add("/feed/", rss(("Moved", feed_server.url("/moved/"))))
    for hop in range(4, 0, -1):
        feed_server.redirect(f"/r{hop}", f"/r{hop + 1}" if hop < 4 else "/feed/")
    with pytest.raises(FetchRefused) as refused:
        discover(feed_server.url("/r1"))
    assert refused.value.code == "too_many_redirects"
    assert "/feed/" not in feed_server.paths()


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_a_feed_over_the_size_limit_is_refused(feed_server, settings, declared):
    settings.SOCIALPOLL_FETCH_MAX_BYTES = 10_000
    items = [(f"Post {n}", feed_server.url(f"/{n}/")) for n in range(400)]
    url = feed_server.add("/big.xml", rss(*items), declare_length=declared)
    with pytest.raises(FetchRefused) as refused:
        fetch(url, accept=latest_post.FEED_TYPES)
    assert refused.value.code == "too_big"


def test_a_server_that_stops_sending_is_given_up_on(feed_server, settings):
    settings.SOCIALPOLL_FETCH_TIMEOUT = 0.5
    url = feed_server.add("/slow.xml", "", stall=True)
    with pytest.raises(FetchRefused) as refused:
        fetch(url, accept=latest_post.FEED_TYPES)
    assert refused.value.code == "too_slow"


def test_other_content_types_are_refused(feed_server):
    url = feed_server.add("/photo", b"\x89PNG....", "image/png")
    with pytest.raises(FetchRefused) as refused:
        discover(url)
    assert refused.value.code == "bad_content_type"


def test_a_compressed_answer_is_refused(feed_server):
    import gzip

    body = gzip.compress(rss(("Zipped", feed_server.url("/z/"))).encode())
    url = feed_server.add("/feed.xml.gz", body, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchRefused) as refused:
        discover(url)
    assert refused.value.code == "bad_encoding"


@pytest.mark.parametrize("status", [404, 500, 204])
def test_an_answer_other_than_200_gives_nothing(feed_server, status):
    url = feed_server.add("/feed.xml", rss(("Post", feed_server.url("/p/"))), status=status)
    with pytest.raises(FetchRefused) as refused:
        discover(url)
    assert refused.value.code == "bad_status"


def test_a_page_without_a_feed_gives_nothing(feed_server):
    url = feed_server.add("/", "<!doctype html><title>x</title><p>No feed here</p>", HTML)
    with pytest.raises(FetchRefused) as refused:
        discover(url)
    assert refused.value.code == "no_feed"


@pytest.mark.parametrize(
    "body",
    [
        "<rss><channel><item><title>Unclosed",
        "not xml at all {]",
        "\x00\x01\x02",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
        '&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss><channel>'
        "<item><title>&c;</title></item></channel></rss>",
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><item><title>&x;</title><link>http://127.0.0.1/p</link></item>"
        "</channel></rss>",
    ],
    ids=["unclosed", "not-xml", "binary", "entity-expansion", "external-entity"],
)
def test_a_malformed_or_tricky_feed_shows_nothing_it_should_not(feed_server, body):
    url = feed_server.add("/bad.xml", body)
    post = discover(url)
    assert post is None or ("root:" not in post.title and len(post.title) <= 150)


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("<script>alert(1)</script>Real title", "Real title"),
        ("&lt;b&gt;Bold&lt;/b&gt; as written", "<b>Bold</b> as written"),
        ("<img src=x onerror=alert(1)>Image", "Image"),
        ("Right\u202eto\u2066left\u2069 and\tcontrols\x1b", "Right to left and controls"),
        ("Line\nbreaks\r\nand\u2028separators", "Line breaks and separators"),
    ],
)
def test_hostile_titles_become_plain_one_line_text(feed_server, title, shown):
    url = feed_server.add("/feed.xml", rss((escape(title), feed_server.url("/p/"))))
    assert discover(url).title == shown


def test_a_long_title_is_cut_at_150_characters_with_an_ellipsis(feed_server):
    url = feed_server.add("/feed.xml", rss(("word " * 60, feed_server.url("/p/"))))
    title = discover(url).title
    assert len(title) == 150
    assert title.endswith("…")


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://evil.example/post",
        "https://127.0.0.1.evil.example/post",
        "http://user:pass@127.0.0.1/post",
        'http://127.0.0.1/p" onmouseover="alert(1)',
        "http://127.0.0.1/p\u202e",
        "ftp://127.0.0.1/post",
    ],
)
def test_links_off_the_site_or_not_http_are_dropped(feed_server, link):
    url = feed_server.add("/feed.xml", rss(("A post", escape(link))))
    assert discover(url) is None


def test_links_on_a_subdomain_of_the_site_are_kept():
    feed = rss(("A post", "https://blog.example.org/a-post/")).encode()
    post = latest_entry(feed, feed_url="https://www.example.org/feed/", website="")
    assert post == LatestPost("A post", "https://blog.example.org/a-post/")


def test_a_relative_link_is_read_against_the_feed(feed_server):
    url = feed_server.add("/blog/feed.xml", rss(("A post", "../posts/1")))
    assert discover(url).url == feed_server.url("/posts/1")


# --- the comment, the task, the page ---------------------------------------------------
def _post_with_latest(client, poll, website, **extra):
    approved_commenter(poll, client)
    data = form_data(client, website=website, show_latest_post="on", **extra)
    return client.post(post_url(poll), data)


def test_a_published_comment_shows_its_commenters_latest_post(
    client, poll, blog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_with_latest(client, poll, blog.url("/"))
    assert response.status_code == 302
    comment = Comment.objects.get(website=blog.url("/"))
    assert comment.latest_post_title == "Ten ideas for social training"
    html = client.get(poll.get_absolute_url()).content.decode()
    assert (
        'Ada recently posted: <a href="' + blog.url("/ten/") + '" rel="nofollow ugc">'
        "Ten ideas for social training</a>"
    ) in html


def test_nothing_is_fetched_or_shown_without_the_tick(
    client, poll, blog, django_capture_on_commit_callbacks
):
    approved_commenter(poll, client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(poll), form_data(client, website=blog.url("/")))
    assert blog.requests == []
    assert "recently posted" not in client.get(poll.get_absolute_url()).content.decode()


def test_a_held_comment_is_looked_up_only_when_a_moderator_approves_it(
    client, poll, blog, moderator, django_capture_on_commit_callbacks
):
    from comments.moderation import comment_approve

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            post_url(poll),
            form_data(client, website=blog.url("/"), show_latest_post="on"),
        )
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert blog.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment, actor=moderator)
    comment.refresh_from_db()
    assert comment.latest_post_url == blog.url("/ten/")


def test_anonymous_readers_see_the_link_on_their_next_load(
    client, poll, blog, django_capture_on_commit_callbacks
):
    from django.test import Client

    comment = add(poll, name="Chris", website=blog.url("/"), show_latest_post=True)
    reader = Client()
    assert "recently posted" not in reader.get(poll.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert latest_post.latest_post_fetch(comment_id=comment.pk)
    html = reader.get(poll.get_absolute_url()).content.decode()
    assert "Chris recently posted:" in html


def test_the_checkbox_needs_a_website(client, poll):
    approved_commenter(poll, client)
    response = client.post(post_url(poll), form_data(client, website="", show_latest_post="on"))
    assert response.status_code == 400
    assert "Give your website&#x27;s address to show your latest post" in (
        response.content.decode()
    )
    assert Comment.objects.count() == 1  # only the earlier one


def test_signed_in_people_are_offered_it_once_their_profile_has_a_website(client, poll, reader):
    from core.models import Profile

    label, hint = "Show my latest blog post", "Add your website to"
    assert label in client.get(poll.get_absolute_url()).content.decode()
    client.force_login(reader)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert label not in html
    assert hint in html and 'href="/accounts/profile/"' in html
    Profile.objects.create(user=reader, website="https://blog.example.org/")
    html = client.get(poll.get_absolute_url()).content.decode()
    assert label in html and hint not in html


def test_a_signed_in_commenter_shows_the_latest_post_of_their_profile_website(
    client, poll, blog, reader, django_capture_on_commit_callbacks
):
    from core.models import Profile

    Profile.objects.create(user=reader, website=blog.url("/"))
    client.force_login(reader)
    data = form_data(client, website="https://typed.example.org/", show_latest_post="on")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(post_url(poll), data).status_code == 302
    comment = Comment.objects.get(user=reader)
    assert comment.website == blog.url("/")  # the profile's, not what the form carried
    assert comment.latest_post_url == blog.url("/ten/")
    html = client.get(poll.get_absolute_url()).content.decode()
    assert f'<a href="{blog.url("/")}" rel="nofollow ugc">reader</a>' in html
    assert "reader recently posted:" in html


def test_a_signed_in_commenter_without_a_website_cannot_ask_for_it(client, poll, reader):
    client.force_login(reader)
    with_tick = form_data(client, show_latest_post="on")
    assert client.post(post_url(poll), with_tick).status_code == 302
    comment = Comment.objects.get(user=reader)
    assert (comment.website, comment.show_latest_post) == ("", False)


@pytest.mark.parametrize("status", [Comment.Status.SPAM, Comment.Status.REMOVED])
def test_spam_and_removed_comments_never_show_it(client, poll, status):
    comment = add(
        poll,
        status=status,
        website="https://blog.example.org/",
        show_latest_post=True,
        latest_post_title="Marker title",
        latest_post_url="https://blog.example.org/p/",
    )
    add(poll, parent=comment, name="Replier")  # keeps a tombstone in the thread
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "Marker title" not in html


def test_a_moderator_hides_the_link_and_the_comment_stays(client, poll, moderator):
    from comments.moderation import comment_latest_post_hide

    comment = add(
        poll,
        name="Chris",
        body="My words stay.",
        website="https://blog.example.org/",
        show_latest_post=True,
        latest_post_title="Marker title",
        latest_post_url="https://blog.example.org/p/",
    )
    assert "Marker title" in client.get(poll.get_absolute_url()).content.decode()
    comment_latest_post_hide(comment=comment, actor=moderator)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "Marker title" not in html
    assert "My words stay." in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_a_hidden_link_is_not_looked_up_again(poll, blog):
    comment = add(
        poll, website=blog.url("/"), show_latest_post=True, latest_post_hidden=True, name="C"
    )
    assert not latest_post.latest_post_fetch(comment_id=comment.pk)
    assert blog.requests == []


def test_a_site_is_fetched_once_per_hour(poll, blog):
    first = add(poll, website=blog.url("/"), show_latest_post=True, author_key="anon:1")
    second = add(poll, website=blog.url("/"), show_latest_post=True, author_key="anon:2")
    assert latest_post.latest_post_fetch(comment_id=first.pk)
    assert latest_post.latest_post_fetch(comment_id=second.pk)
    assert blog.paths() == ["/", "/feed/"]
    second.refresh_from_db()
    assert second.latest_post_title == "Ten ideas for social training"


def test_a_failure_is_remembered_too(poll, feed_server):
    url = feed_server.add("/", "<!doctype html><title>x</title>", HTML)
    for key in ("anon:1", "anon:2"):
        comment = add(poll, website=url, show_latest_post=True, author_key=key)
        assert not latest_post.latest_post_fetch(comment_id=comment.pk)
    assert feed_server.paths() == ["/"]


def test_one_commenter_may_cause_only_a_few_lookups(poll, feed_server, settings):
    settings.COMMENTS_LATEST_POST_LIMIT = 2
    for n in range(3):
        feed_server.add(f"/{n}/", rss((f"Post {n}", feed_server.url(f"/{n}/p"))))
    stored = [
        latest_post.latest_post_fetch(
            comment_id=add(
                poll, website=feed_server.url(f"/{n}/"), show_latest_post=True, author_key="anon:x"
            ).pk
        )
        for n in range(3)
    ]
    assert stored == [True, True, False]
    assert feed_server.paths() == ["/0/", "/1/"]


# --- the moderator, in the admin --------------------------------------------------------
def _with_link(poll):
    return add(
        poll,
        name="Chris",
        body="My words stay.",
        website="https://blog.example.org/",
        show_latest_post=True,
        latest_post_title="Marker title",
        latest_post_url="https://blog.example.org/p/",
    )


def test_the_admin_action_hides_the_link_and_logs_the_moderator(client, poll, moderator):
    from comments.models import ModerationEvent

    comment = _with_link(poll)
    client.force_login(moderator)
    response = client.post(
        "/admin/comments/comment/?status=all",
        {"action": "hide_latest_post_selected", "_selected_action": [comment.pk]},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.latest_post_hidden
    assert comment.status == Comment.Status.APPROVED
    assert ModerationEvent.objects.filter(comment=comment, actor=moderator).exists()
    assert "Marker title" not in client.get(poll.get_absolute_url()).content.decode()


def test_the_admin_form_shows_the_link_and_can_hide_it(client, poll, moderator):
    from tests.comments.helpers import form_fields

    comment = _with_link(poll)
    client.force_login(moderator)
    url = f"/admin/comments/comment/{comment.pk}/change/"
    html = client.get(url).content.decode()
    assert "Marker title" in html and "https://blog.example.org/p/" in html
    data = form_fields(html)
    data["latest_post_hidden"] = "on"
    assert client.post(url, data).status_code == 302
    comment.refresh_from_db()
    assert comment.latest_post_hidden and comment.body == "My words stay."
    assert "Marker title" not in client.get(poll.get_absolute_url()).content.decode()


def test_the_lookup_waits_for_the_comment_to_be_committed(
    client, poll, blog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post_with_latest(client, poll, blog.url("/"))
    assert blog.requests == []  # nothing fetched while the comment is not committed
    comment = Comment.objects.get(website=blog.url("/"))
    for callback in callbacks:
        callback()
    comment.refresh_from_db()
    assert comment.latest_post_url == blog.url("/ten/")
