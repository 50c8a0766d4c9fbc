"""A trainer may say that a vote for "something else" needs the voter's definition: the
vote counts once the definition is posted, never without one."""

import pytest

from comments.models import Comment
from polls.models import Ballot
from polls.voters import Voter
from polls.voting import ballot_cast
from tests.comments.alt_helpers import definition, definition_url, something_else, write_in_poll
from tests.comments.helpers import approved_commenter, form_data
from tests.factories import voter_client, voter_key_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(trainer):
    return write_in_poll(trainer, write_in_needs_definition=True)


def vote_for(client, poll, choice, **headers):
    return client.post(f"/polls/{poll.slug}/vote/", {"choice": choice.pk}, **headers)


def ballots(poll, client) -> list[set[int]]:
    return [
        set(ballot.choices.values_list("pk", flat=True))
        for ballot in Ballot.objects.filter(poll=poll, voter_key=voter_key_of(client))
    ]


def test_a_vote_for_something_else_waits_for_the_definition(poll):
    reader = voter_client()
    response = vote_for(reader, poll, something_else(poll))
    html = response.content.decode()
    assert response.status_code == 200
    assert not Ballot.objects.filter(poll=poll).exists()
    assert "counts once it is posted" in html
    assert "Your definition" in html and 'name="cast_vote"' in html


def test_posting_the_definition_counts_the_vote(poll):
    reader = voter_client()
    approved_commenter(poll, reader)  # a returning browser: published at once
    vote_for(reader, poll, something_else(poll))
    data = form_data(reader, body="Learning in a reading circle", cast_vote="1")
    response = reader.post(definition_url(poll), data, follow=True)
    assert "Thanks for voting!" in response.content.decode()
    assert ballots(poll, reader) == [{something_else(poll).pk}]
    posted = Comment.objects.get(poll=poll, is_alternative=True)
    assert posted.body == "Learning in a reading circle"


def test_a_held_definition_counts_the_vote_too(poll):
    reader = voter_client()
    data = form_data(reader, body="Learning in a reading circle", cast_vote="1")
    reader.post(definition_url(poll), data)
    assert Comment.objects.get(poll=poll, is_alternative=True).status == Comment.Status.PENDING
    assert ballots(poll, reader) == [{something_else(poll).pk}]


def test_a_refused_definition_counts_no_vote(poll):
    reader = voter_client()
    response = reader.post(definition_url(poll), form_data(reader, body="", cast_vote="1"))
    assert response.status_code == 400
    assert not Ballot.objects.filter(poll=poll).exists()
    assert not Comment.objects.filter(poll=poll).exists()


def test_a_definition_posted_before_counts_with_one_click(poll):
    reader = voter_client()
    definition(poll, author_key=voter_key_of(reader))
    page = vote_for(reader, poll, something_else(poll)).content.decode()
    assert "Count my vote" in page
    reader.post(definition_url(poll), {"use_own": "1"})
    assert ballots(poll, reader) == [{something_else(poll).pk}]


def test_count_my_vote_without_a_definition_counts_nothing(poll):
    reader = voter_client()
    reader.post(definition_url(poll), {"use_own": "1"})
    assert not Ballot.objects.filter(poll=poll).exists()


def test_the_other_choices_are_counted_at_once(poll):
    reader = voter_client()
    first = poll.choices.filter(is_write_in=False).first()
    assert vote_for(reader, poll, first).status_code == 302
    assert ballots(poll, reader) == [{first.pk}]


def test_without_the_setting_something_else_counts_at_once(trainer):
    poll = write_in_poll(trainer)
    reader = voter_client()
    assert vote_for(reader, poll, something_else(poll)).status_code == 302
    assert ballots(poll, reader) == [{something_else(poll).pk}]


def test_the_rule_holds_for_every_caller_of_the_service(poll):
    from django.core.exceptions import ValidationError

    voter = Voter(key="anon:script", anonymous_id="script")
    with pytest.raises(ValidationError) as refused:
        ballot_cast(poll=poll, voter=voter, choice_ids=[something_else(poll).pk])
    assert refused.value.code == "definition_needed"
    assert not Ballot.objects.filter(poll=poll).exists()


def test_the_poll_form_offers_the_setting(client, trainer):
    client.force_login(trainer)
    html = client.get("/polls/new/").content.decode()
    assert "counts only with the voter&#x27;s definition" in html or (
        "counts only with the voter's definition" in html
    )
