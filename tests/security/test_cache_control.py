"""Caching headers (issue 12.17): no shared cache may keep one reader's page for another.

Every HTML page carries a per-response CSP nonce, and the poll page a CSRF token and a
comment-form token bound to the reader's cookie. A proxy that stored one would hand them
to the next reader. So pages are ``private`` (never stored by a shared cache) and
``no-cache`` (the browser asks again before reusing one, so results stay live and a
one-time form token is not reused); what Django already marks ``no-store`` stays so.
"""

import pytest
from django.test import Client

from tests.comments.helpers import add
from tests.factories import make_poll, voter_client

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def assert_private(response) -> None:
    found = directives(response)
    assert {"private", "no-cache"} <= found, response.get("Cache-Control")
    assert "public" not in found
    assert not any(part.startswith(("s-maxage", "max-age=3")) for part in found)


@pytest.fixture
def poll(db):
    poll = make_poll()
    add(poll, body="An approved comment.")
    return poll


def test_the_anonymous_poll_page_is_private_when_rendered_and_when_served_stored(poll):
    first = Client().get(poll.get_absolute_url())
    assert 'name="csrfmiddlewaretoken"' in first.content.decode()
    assert_private(first)
    second = Client().get(poll.get_absolute_url())  # from polls/pagecache.py's stored copy
    assert 'name="csrfmiddlewaretoken"' in second.content.decode()
    assert_private(second)


def test_the_poll_page_of_a_voter_and_of_a_signed_in_reader_is_private(poll, reader):
    browser = voter_client()
    browser.post(f"/polls/{poll.slug}/vote/", {"choice": poll.choices.first().pk})
    assert_private(browser.get(poll.get_absolute_url()))
    signed_in = Client()
    signed_in.force_login(reader)
    assert_private(signed_in.get(poll.get_absolute_url()))


@pytest.mark.parametrize(
    "path",
    ["/", "/polls/{slug}/results/", "/comments/{pk}/reply/", "/comments/{pk}/report/"],
    ids=["home", "results-fragment", "reply-form", "report-form"],
)
def test_other_pages_are_private_too(poll, path):
    comment = poll.comments.get()
    response = Client().get(path.format(slug=poll.slug, pk=comment.pk))
    assert response.status_code == 200
    assert_private(response)


def test_an_htmx_vote_answer_is_private(poll):
    response = voter_client().post(
        f"/polls/{poll.slug}/vote/", {"choice": poll.choices.first().pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert_private(response)


def test_the_trainers_csv_download_is_private(poll):
    trainer = Client()
    trainer.force_login(poll.author)
    poll.author.is_superuser = True
    poll.author.save()
    response = trainer.get(f"/polls/{poll.slug}/results.csv")
    assert response.status_code == 200
    assert "private" in directives(response)


def test_pages_django_marks_no_store_keep_it(db):
    login = Client().get("/accounts/login/")
    assert {"no-store", "private"} <= directives(login)


def test_the_feeds_stay_cacheable(poll):
    response = Client().get(f"/polls/{poll.slug}/comments/rss/")
    assert response.status_code == 200
    assert "private" not in directives(response)
