"""The whole poll page cached for anonymous first-time readers (polls/pagecache.py).

What a reader must never notice: every reader gets working tokens of their own, every
write shows on the next page load, and a reader with a ballot, an account, a message or a
query string gets the page made for them.
"""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.forms import _TOKEN_SALT
from comments.models import Comment
from core import versions
from polls import editing, lifecycle
from polls.models import Ballot, Poll
from tests.comments.helpers import add, form_data
from tests.factories import make_poll, make_user, voter_client
from tests.polls.conftest import choice_ids, vote_url

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SERVED = re.compile(r'name="served" value="([^"]+)"')
NONCE = re.compile(r"'nonce-([^']+)'")  # in the Content-Security-Policy header


def load(client, poll) -> tuple[str, int, object]:
    """(page, queries it took, response) for one GET of the poll page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(poll.get_absolute_url())
    return response.content.decode(), len(queries), response


def without_tokens(html: str, response) -> str:
    html = html.replace(NONCE.search(response["Content-Security-Policy"]).group(1), "NONCE")
    for pattern in (CSRF, SERVED):
        html = pattern.sub("TOKEN", html)
    return html


@pytest.fixture
def poll(db):
    poll = make_poll(choices=("Learning with others", "Social media", "On the job"))
    add(poll, name="Bea", body="Learning by watching others.")
    return poll


def test_the_second_anonymous_reader_gets_the_same_page_without_a_query(poll):
    first, first_queries, first_response = load(Client(), poll)
    second, second_queries, response = load(Client(), poll)
    assert first_queries > 0
    assert second_queries == 0
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert without_tokens(second, response) == without_tokens(first, first_response)
    assert "Learning by watching others." in second


def test_every_reader_of_the_stored_page_gets_tokens_of_their_own(poll):
    pages = [load(Client(), poll) for _ in range(4)]  # rendered once, then from the cache
    seen: dict[str, set] = {"csrf": set(), "served": set(), "nonce": set()}
    for html, _, response in pages:
        nonce = NONCE.search(response["Content-Security-Policy"]).group(1)
        assert html.count(nonce) == 2  # in htmx's config and on its script tag
        found = {"csrf": set(CSRF.findall(html)), "served": set(SERVED.findall(html))}
        found["nonce"] = {nonce}
        for name, values in found.items():
            assert values and not values & seen[name], name  # present, and new to this reader
            seen[name] |= values
        assert "<!--socialpoll:" not in html


def test_a_reader_of_the_stored_page_can_vote_with_its_csrf_token(poll):
    load(Client(), poll)  # stores the page
    reader = Client(enforce_csrf_checks=True)
    html, queries, _ = load(reader, poll)
    assert queries == 0
    token = CSRF.search(html).group(1)
    response = reader.post(
        vote_url(poll), {"csrfmiddlewaretoken": token, "choice": choice_ids(poll)[0]}
    )
    assert response.status_code == 302
    assert poll.ballots.count() == 1


def test_a_reader_of_the_stored_page_can_comment_with_its_tokens(poll, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    load(Client(), poll)
    reader = Client(enforce_csrf_checks=True)
    html, queries, _ = load(reader, poll)
    assert queries == 0
    served = SERVED.search(html).group(1)
    served_at = float(signing.loads(served, salt=_TOKEN_SALT)["t"])
    assert abs(served_at - timezone.now().timestamp()) < 60  # served now, not when stored
    data = form_data(reader, served=served, body="Something else altogether.")
    data["csrfmiddlewaretoken"] = CSRF.search(html).group(1)
    response = reader.post(f"/polls/{poll.slug}/comments/", data)
    assert response.status_code in (200, 302)
    assert Comment.objects.filter(poll=poll, body="Something else altogether.").exists()


def _vote_elsewhere(poll):
    voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[0]})


def _change_a_vote(poll):
    Poll.objects.filter(pk=poll.pk).update(allow_vote_change=True)
    reader = voter_client("changer")
    reader.post(vote_url(poll), {"choice": choice_ids(poll)[1]})
    reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]})


def _choices(poll) -> list[editing.ChoiceInput]:
    return [editing.ChoiceInput(id=c.pk, text=c.text) for c in poll.choices.all()]


def _edit_the_question(poll):
    poll.refresh_from_db()
    editing.poll_update(
        poll=poll,
        fields={"question": "How would YOU define social learning?"},
        choices=_choices(poll),
        publish=True,
    )


def _add_a_choice_in_the_admin(poll):
    rows = [*_choices(poll), editing.ChoiceInput(id=None, text="Something else altogether")]
    editing.poll_choices_set(poll=poll, choices=rows)


def _close_it(poll):
    lifecycle.poll_close(poll=poll)


def _approve_a_comment(poll):
    comment = add(poll, name="Cy", body="Peers teaching peers.", status=Comment.Status.PENDING)
    from comments.moderation import comment_approve

    comment_approve(comment=comment)


def _miss_a_vote(poll):
    # A ballot stored while the cache missed the version change (Redis was unreachable).
    ballot = Ballot.objects.create(poll=poll, voter_key="anon:missed")
    ballot.choices.add(choice_ids(poll)[0])


def _miss_a_vote_then_repair(poll):
    from polls.results import results_verify

    _miss_a_vote(poll)
    results_verify(repair=True)


def _nothing(poll):
    pass


WRITES = {  # what happens before the page is stored, the write, what the page then shows
    "a vote": (_nothing, _vote_elsewhere, "1 vote"),
    "a changed vote": (_nothing, _change_a_vote, "1 vote · 100%"),
    "an edited question": (_nothing, _edit_the_question, "How would YOU define social"),
    "a choice added in the admin": (_nothing, _add_a_choice_in_the_admin, "altogether"),
    "closing": (_nothing, _close_it, "This poll is closed"),
    "an approved comment": (_nothing, _approve_a_comment, "Peers teaching peers."),
    "repaired counts": (_nothing, _miss_a_vote_then_repair, "1 vote · 100%"),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_shows_on_the_next_anonymous_page_load(poll, write):
    before_storing, change, expected = WRITES[write]
    before_storing(poll)
    before, _, _ = load(Client(), poll)
    assert load(Client(), poll)[1] == 0  # stored
    assert expected not in before
    change(poll)
    after, queries, _ = load(Client(), poll)
    assert queries > 0
    assert expected in after


def test_the_page_closes_on_time_without_any_write(poll, monkeypatch):
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() + timedelta(minutes=5))
    before, _, _ = load(Client(), poll)
    assert load(Client(), poll)[1] == 0
    assert "This poll is closed" not in before
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    after, _, _ = load(Client(), poll)
    assert "This poll is closed" in after
    assert 'class="vote-form' not in after


@pytest.mark.parametrize("how", ["unpublished", "deleted"])
def test_a_poll_taken_down_is_a_404_at_once(poll, how):
    load(Client(), poll)
    assert load(Client(), poll)[1] == 0
    if how == "unpublished":
        editing.poll_update(poll=poll, fields={}, choices=_choices(poll), publish=False)
    else:
        lifecycle.poll_delete(poll=poll)
    assert Client().get(poll.get_absolute_url()).status_code == 404


def test_a_voter_never_gets_the_anonymous_page(poll):
    load(Client(), poll)
    reader = voter_client()
    reader.post(vote_url(poll), {"choice": choice_ids(poll)[1]})
    load(Client(), poll)  # the anonymous page, stored again after the vote
    html, _, _ = load(reader, poll)
    assert "You voted for <strong>Social media</strong>" in html


def test_a_returning_browser_without_a_ballot_here_gets_the_stored_page(poll):
    other = make_poll()
    reader = voter_client()
    reader.post(vote_url(other), {"choice": choice_ids(other)[0]}, follow=True)
    load(Client(), poll)
    html, queries, _ = load(reader, poll)
    assert queries == 1  # is there a ballot of theirs in this poll? no
    assert "You voted for" not in html
    assert 'class="vote-form' in html


def test_a_signed_in_reader_never_gets_the_anonymous_page(poll):
    load(Client(), poll)
    member = Client()
    member.force_login(make_user("member"))
    html, _, _ = load(member, poll)
    assert "Log out" in html


def test_the_thanks_message_after_a_vote_is_shown_not_cached_away(poll):
    load(Client(), poll)
    reader = voter_client()
    response = reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]}, follow=True)
    assert "Thanks for voting!" in response.content.decode()
    html, _, _ = load(Client(), poll)
    assert "Thanks for voting!" not in html


def test_a_query_string_gets_its_own_page(poll):
    load(Client(), poll)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(f"{poll.get_absolute_url()}?cpage=1")
    assert response.status_code == 200
    assert len(queries) > 0


def test_votes_do_not_throw_away_a_page_that_shows_no_counts(poll):
    Poll.objects.filter(pk=poll.pk).update(results_visibility=Poll.ResultsVisibility.AFTER_VOTE)
    load(Client(), poll)
    for n in range(3):
        voter_client(f"voter-{n}").post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    html, queries, _ = load(Client(), poll)
    assert queries == 0
    assert "Results appear once you have voted." in html


def test_a_page_that_shows_counts_follows_every_vote_with_one_count_not_a_render(poll):
    load(Client(), poll)
    _vote_elsewhere(poll)
    with CaptureQueriesContext(connection) as queries:
        html = Client().get(poll.get_absolute_url()).content.decode()
    assert "1 vote" in html
    # The stored page, its results block rendered again from one count of the ballots.
    assert len(queries) == 1 and "polls_ballot" in queries[0]["sql"]


def test_the_page_works_with_the_cache_unreachable(poll, cache_unreachable):
    for _ in range(2):
        html, queries, response = load(Client(), poll)
        assert response.status_code == 200
        assert queries > 0  # rendered each time: nothing could be stored
        assert "Learning by watching others." in html


def test_the_cache_can_be_turned_off(poll, settings):
    settings.POLLS_PAGE_CACHE_SECONDS = 0
    load(Client(), poll)
    assert load(Client(), poll)[1] > 0


def test_a_stored_page_is_not_served_after_its_lifetime(poll, settings, monkeypatch):
    # What no version sees (a deploy's new templates, say) lasts at most this long, in the
    # shared cache and in each worker's own copy alike.
    settings.POLLS_PAGE_CACHE_SECONDS = 60
    load(Client(), poll)
    assert load(Client(), poll)[1] == 0
    import time

    later = time.time() + 61
    monkeypatch.setattr("polls.pagecache.time.time", lambda: later)
    assert load(Client(), poll)[1] > 0  # rendered again


def test_a_write_on_another_server_shows_at_once(poll):
    # Another app server's write changes the shared version; this worker's own copy of the
    # page is checked against it on every request, so it is not served again.
    from polls import pagecache

    load(Client(), poll)
    assert load(Client(), poll)[1] == 0
    assert pagecache._local  # this worker holds a copy
    versions.content_changed(poll_id=poll.pk)  # as another server's edit would
    assert load(Client(), poll)[1] > 0
