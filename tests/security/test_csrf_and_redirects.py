"""CSRF on every state-changing URL, and no open redirect through `next=`."""

import pytest
from django.test import Client

from polls.models import Poll
from tests.factories import PASSWORD, make_poll
from tests.security.urls import all_routes, example_path

pytestmark = pytest.mark.django_db

# Views that take a POST without a CSRF token on purpose, and why.
CSRF_EXEMPT = {
    # One-click unsubscribe (RFC 8058): a mail client posts without cookies; the signed
    # token in the URL is the authority, and all it can do is stop reply emails.
    "comments:unsubscribe": "signed one-click unsubscribe token",
    # Not without a check: the embed's vote runs Django's CSRF check itself (polls/embed.py),
    # so that a refusal (a frame on another site gets no cookies) is answered inside the
    # frame with "Vote in a new tab" rather than an error page that may not be framed.
    # tests/polls/test_embed.py shows such a vote is refused (403) and not counted.
    "polls:embed_vote": "CSRF checked in the view, refusal answered in the frame",
}


def csrf_exempt_views() -> set[str]:
    from django.urls import resolve

    exempt = set()
    for route in all_routes():
        path = example_path(route.route, {"app_label": "polls", "token": "x", "slug": "x"})
        match = resolve(path)
        if getattr(match.func, "csrf_exempt", False):
            exempt.add(route.key)
    return exempt


def test_only_the_documented_views_are_csrf_exempt():
    assert csrf_exempt_views() == set(CSRF_EXEMPT)


@pytest.fixture
def poll(trainer):
    return make_poll(author=trainer)


@pytest.mark.parametrize("role", ["anonymous", "superuser"])
def test_every_post_without_a_token_gets_the_friendly_403(role, poll, superuser):
    client = Client(enforce_csrf_checks=True)
    if role == "superuser":
        client.force_login(superuser)
    values = {
        "slug": poll.slug,
        "object_id": str(poll.pk),
        "pk": "1",
        "id": str(superuser.pk),
        "app_label": "polls",
        "url": "no-such-page/",
    }
    wrong = []
    checked = 0
    for route in all_routes():
        if route.key in CSRF_EXEMPT:
            continue
        path = example_path(route.route, values)
        response = client.post(path, {"choice": "1", "body": "x", "username": "root"})
        checked += 1
        if response.status_code != 403 or "This form has expired" not in response.content.decode():
            wrong.append(f"{path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert checked > 60


def test_a_post_with_the_token_from_the_page_is_accepted(poll):
    client = Client(enforce_csrf_checks=True)
    client.get(poll.get_absolute_url())
    token = client.cookies["csrftoken"].value
    choice = poll.choices.first()
    response = client.post(
        f"/polls/{poll.slug}/vote/", {"choice": choice.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert poll.ballots.count() == 1


def test_a_vote_without_the_token_is_not_counted(poll):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/polls/{poll.slug}/vote/", {"choice": poll.choices.first().pk})
    assert response.status_code == 403
    assert poll.ballots.count() == 0


HOSTILE_NEXT = [
    "https://evil.example/",
    "http://evil.example/phish",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "http://testserver@evil.example/",
    " https://evil.example/",
    "https://evil.example\\@testserver/",
    "javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/%2F..",
    "\t//evil.example/",
]


def assert_stays_home(response, default: str) -> None:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == default, location


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_log_in_refuses_to_redirect_off_site(client, reader, next_url):
    response = client.post(
        "/accounts/login/",
        {"username": reader.username, "password": PASSWORD, "next": next_url},
    )
    assert_stays_home(response, "/")


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_log_in_page_does_not_carry_a_hostile_next(client, next_url):
    response = client.get("/accounts/login/", {"next": next_url})
    assert response.status_code == 200
    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_log_out_refuses_to_redirect_off_site(client, reader, next_url):
    client.force_login(reader)
    response = client.post("/accounts/logout/", {"next": next_url})
    assert_stays_home(response, "/")


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_admin_log_in_refuses_to_redirect_off_site(client, superuser, next_url):
    response = client.post(
        "/admin/login/",
        {"username": superuser.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_close_poll_refuses_to_redirect_off_site(client, trainer, poll, next_url):
    client.force_login(trainer)
    response = client.post(f"/polls/{poll.slug}/close/", {"next": next_url})
    assert_stays_home(response, poll.get_absolute_url())
    poll.refresh_from_db()
    assert poll.has_closed


def test_log_in_follows_a_next_on_this_site(client, reader, trainer):
    poll = make_poll(author=trainer)
    response = client.post(
        "/accounts/login/",
        {"username": reader.username, "password": PASSWORD, "next": poll.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == poll.get_absolute_url()
    assert Poll.objects.filter(pk=poll.pk).exists()
