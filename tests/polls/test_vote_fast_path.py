"""The vote view's fast path: a first valid ballot in one statement on PostgreSQL.

Every behaviour test here runs on both databases (SQLite always takes the full path) and
checks what a voter sees and what is stored; only the query count is PostgreSQL's alone.
"""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from polls import services
from polls.models import Ballot, Poll
from polls.voters import Voter
from tests.factories import make_poll, make_user, voter_client
from tests.polls.conftest import choice_ids, counts, vote_url

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the one-statement fast path exists on PostgreSQL only; SQLite takes the full path",
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_first_valid_vote_is_one_query_on_postgresql():
    # transaction=True: the view runs in autocommit, as it does when serving requests.
    poll = make_poll(choices=("Learning with others", "Social media in a course", "On the job"))
    chosen = choice_ids(poll)[2]
    # The connection's first fast vote also PREPAREs the statement; every later one is one
    # EXECUTE.
    warm_up = make_poll()
    assert Client().post(vote_url(warm_up), {"choice": choice_ids(warm_up)[0]}).status_code == 302
    reader = Client()  # a new browser: no session, no voter cookie yet
    with CaptureQueriesContext(connection) as queries:
        response = reader.post(vote_url(poll), {"choice": chosen})
    assert response.status_code == 302
    assert response["Location"] == poll.get_absolute_url()
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert queries[0]["sql"].startswith("EXECUTE ")
    assert counts(poll) == (1, 1, [0, 0, 1])
    assert services.counters_verify() == []


def test_a_first_vote_leaves_thanks_the_cookie_and_the_chosen_answer(poll):
    reader = Client()
    response = reader.post(vote_url(poll), {"choice": choice_ids(poll)[1]}, follow=True)
    html = response.content.decode()
    assert "Thanks for voting!" in html
    assert "You voted for <strong>Social media in a course</strong>" in html
    ballot = Ballot.objects.get()
    assert ballot.voter_key.startswith("anon:") and ballot.user is None
    assert ballot.created_at is not None and ballot.updated_at is not None
    assert ballot.choice_ids == {choice_ids(poll)[1]}
    # The browser now carries its voter id: a second vote is the same voter.
    assert reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]}).status_code == 409


def test_a_vote_bumps_the_results_version(poll):
    before = poll.results_version
    voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    poll.refresh_from_db()
    assert poll.results_version == before + 1


def test_a_vote_on_a_poll_closed_after_the_page_was_loaded_is_refused(poll):
    reader = voter_client()
    assert reader.get(poll.get_absolute_url()).status_code == 200
    services.poll_close(poll=poll)
    response = reader.post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    assert response.status_code == 403
    assert "This poll is closed." in response.content.decode()
    assert counts(poll) == (0, 0, [0, 0, 0])


def test_a_choice_of_another_poll_is_refused_and_nothing_is_written(poll):
    other = make_poll()
    mixed = [choice_ids(poll)[0], choice_ids(other)[0]]
    multi = make_poll(multiple=True, max_choices=3)
    for target, ids in ((poll, [choice_ids(other)[0]]), (multi, [choice_ids(multi)[0], mixed[1]])):
        response = voter_client().post(vote_url(target), {"choice": ids})
        assert response.status_code == 400
        assert "That is not one of this poll&#x27;s choices." in response.content.decode()
    assert not Ballot.objects.exists()
    assert counts(poll)[1:] == (0, [0, 0, 0]) and counts(other)[1:] == (0, [0, 0, 0])
    assert services.counters_verify() == []


def test_a_second_vote_from_the_same_browser_is_409_and_changes_nothing(poll):
    reader = voter_client("twice")
    first, second, _ = choice_ids(poll)
    assert reader.post(vote_url(poll), {"choice": first}).status_code == 302
    response = reader.post(vote_url(poll), {"choice": second})
    assert response.status_code == 409
    assert "You have already voted in this poll." in response.content.decode()
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_a_second_vote_changes_the_ballot_where_allowed():
    poll = make_poll(allow_vote_change=True)
    reader = voter_client("changer")
    first, second, _ = choice_ids(poll)
    assert reader.post(vote_url(poll), {"choice": first}).status_code == 302
    assert reader.post(vote_url(poll), {"choice": second}).status_code == 302
    assert counts(poll) == (1, 1, [0, 1, 0])
    assert services.counters_verify() == []


def test_signed_in_only_poll_refuses_anonymous_voters_and_takes_a_users_vote():
    poll = make_poll(who_can_vote=Poll.Voters.USERS)
    response = voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[0]})
    assert response.status_code == 403
    assert "Log in to vote in this poll." in response.content.decode()
    assert counts(poll) == (0, 0, [0, 0, 0])

    user = make_user()
    browser = Client()
    browser.force_login(user)
    assert browser.post(vote_url(poll), {"choice": choice_ids(poll)[0]}).status_code == 302
    ballot = Ballot.objects.get()
    assert (ballot.user, ballot.voter_key) == (user, f"user:{user.pk}")
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_multiple_choice_within_the_limit_is_counted_and_over_it_is_refused():
    poll = make_poll(multiple=True, max_choices=2, choices=("A", "B", "C"))
    a, b, c = choice_ids(poll)
    assert voter_client().post(vote_url(poll), {"choice": [a, c]}).status_code == 302
    response = voter_client().post(vote_url(poll), {"choice": [a, b, c]})
    assert response.status_code == 400
    assert "Choose at most 2 answers." in response.content.decode()
    # The same choice sent twice is one choice (and within the limit).
    assert voter_client().post(vote_url(poll), {"choice": [b, b, f" {b}"]}).status_code == 302
    assert counts(poll) == (2, 2, [1, 1, 1])
    assert services.counters_verify() == []


def test_a_single_choice_poll_refuses_two_choices(poll):
    response = voter_client().post(vote_url(poll), {"choice": choice_ids(poll)[:2]})
    assert response.status_code == 400
    assert "Choose only one answer." in response.content.decode()
    assert counts(poll) == (0, 0, [0, 0, 0])


@pytest.mark.parametrize(
    ("choices", "status"),
    [([], 400), (["abc"], 400), (["0"], 400), (["-3"], 400), ([str(2**63)], 400)],
    ids=["none", "non-numeric", "zero", "negative", "too-large"],
)
def test_doubtful_input_goes_the_full_way_and_is_refused(poll, choices, status):
    response = voter_client().post(vote_url(poll), {"choice": choices})
    assert response.status_code == status
    assert counts(poll) == (0, 0, [0, 0, 0])


def test_drafts_and_unknown_polls_keep_their_answers(poll, trainer):
    draft = make_poll(status=Poll.Status.DRAFT, author=trainer)
    assert voter_client().post(vote_url(draft), {"choice": choice_ids(draft)[0]}).status_code == (
        404
    )
    missing = voter_client().post("/polls/no-such-poll/vote/", {"choice": choice_ids(poll)[0]})
    assert missing.status_code == 404
    # The draft's own trainer sees it, but may not vote in it yet.
    trainer_browser = Client()
    trainer_browser.force_login(trainer)
    assert (
        trainer_browser.post(vote_url(draft), {"choice": choice_ids(draft)[0]}).status_code == 403
    )
    assert not Ballot.objects.exists()
    assert services.counters_verify() == []


def test_htmx_first_vote_answers_with_the_block_showing_the_vote_and_the_new_total(poll):
    response = voter_client().post(
        vote_url(poll), {"choice": choice_ids(poll)[1]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thanks for voting!" in html
    assert "You voted for <strong>Social media in a course</strong>" in html
    assert "1 vote" in html
    assert counts(poll) == (1, 1, [0, 1, 0])


# --- the service function itself ----------------------------------------------------------


def test_the_fast_path_casts_on_postgresql_and_declines_elsewhere(poll):
    result = services.ballot_cast_first(
        slug=poll.slug, voter=Voter(key="anon:x"), choice_ids=choice_ids(poll)[:1]
    )
    if connection.vendor == "postgresql":
        assert isinstance(result, int)
        assert counts(poll) == (1, 1, [1, 0, 0])
    else:
        assert result is None
        assert counts(poll) == (0, 0, [0, 0, 0])


@postgresql_only
def test_a_failed_fast_path_inside_a_transaction_leaves_it_usable(poll):
    """A foreign-key failure (here a user that does not exist) is None, and nothing else."""

    class Ghost:
        pk = 987654321

    with transaction.atomic():
        result = services.ballot_cast_first(
            slug=poll.slug,
            voter=Voter(key="user:ghost", user=Ghost()),
            choice_ids=choice_ids(poll)[:1],
        )
        assert result is None
        assert not Ballot.objects.exists()  # the transaction still answers
        ok = services.ballot_cast_first(
            slug=poll.slug, voter=Voter(key="anon:y"), choice_ids=choice_ids(poll)[:1]
        )
        assert isinstance(ok, int)
    assert counts(poll) == (1, 1, [1, 0, 0])
    assert services.counters_verify() == []


@postgresql_only
def test_a_vote_is_still_taken_when_the_prepared_statement_has_vanished(poll):
    """A pooler's DISCARD ALL, say: that vote takes the full path, the next one prepares again."""
    first, second, third = (voter_client() for _ in range(3))
    assert first.post(vote_url(poll), {"choice": choice_ids(poll)[0]}).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE socialpoll_ballot_cast_first")
    assert second.post(vote_url(poll), {"choice": choice_ids(poll)[1]}).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert third.post(vote_url(poll), {"choice": choice_ids(poll)[1]}).status_code == 302
    assert any(q["sql"].startswith("PREPARE ") for q in queries)
    assert counts(poll) == (3, 3, [1, 2, 0])
    assert services.counters_verify() == []
