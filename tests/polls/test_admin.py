from datetime import timedelta

import pytest
from django.utils import timezone

from core import versions
from polls.models import Ballot, Choice, Poll
from polls.results import count_results
from tests.factories import make_ballots, make_poll, voter_client

pytestmark = pytest.mark.django_db

POLLS = "/admin/polls/poll/"
BALLOTS = "/admin/polls/ballot/"


def test_poll_changelist_shows_state_and_totals(admin_client):
    poll = make_poll(question="Define it?")
    make_ballots(poll, 4)
    html = admin_client.get(POLLS).content.decode()
    assert "Define it?" in html
    assert '<td class="field-vote_total">4</td>' in html
    assert '<td class="field-state_label">Open</td>' in html


def test_poll_changelist_search_and_filters(admin_client):
    make_poll(question="About blended learning?", choices=("Hybrid", "Other"))
    make_poll(question="About social learning?", closes_at=timezone.now() - timedelta(hours=1))
    html = admin_client.get(POLLS, {"q": "hybrid"}).content.decode()
    assert "About blended learning?" in html and "About social learning?" not in html
    html = admin_client.get(POLLS, {"state": "closed"}).content.decode()
    assert "About social learning?" in html and "About blended learning?" not in html
    assert admin_client.get(POLLS, {"status__exact": "draft"}).status_code == 200


def test_poll_change_page_has_choices_inline_with_votes(admin_client):
    poll = make_poll(choices=("First", "Second"))
    make_ballots(poll, 2, choice=poll.choices.first())
    html = admin_client.get(f"{POLLS}{poll.pk}/change/").content.decode()
    assert 'value="First"' in html and 'value="Second"' in html
    assert "choices-0-text" in html


def _change_data(poll: Poll, texts: list[str], *, delete: tuple[int, ...] = ()) -> dict:
    """What the admin's change form posts, as loaded now, with these choice rows."""
    import re

    from django.test import Client

    from tests.factories import make_user

    viewer = Client()
    viewer.force_login(make_user(is_staff=True, is_superuser=True))
    page = viewer.get(f"{POLLS}{poll.pk}/change/").content.decode()
    loaded = re.search(r'name="loaded_values" value="([^"]*)"', page).group(1)
    choices = list(poll.choices.all())
    data = {
        "loaded_values": loaded,
        "question": poll.question,
        "slug": poll.slug,
        "intro": poll.intro,
        "author": poll.author_id,
        "status": poll.status,
        "max_choices": poll.max_choices,
        "who_can_vote": poll.who_can_vote,
        "results_visibility": poll.results_visibility,
        "choices-TOTAL_FORMS": len(texts),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for index, text in enumerate(texts):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-position"] = index
        data[f"choices-{index}-poll"] = poll.pk
        if index < len(choices):
            data[f"choices-{index}-id"] = choices[index].pk
        if index in delete:
            data[f"choices-{index}-DELETE"] = "on"
    return data


def test_admin_can_add_a_choice_and_the_cached_page_follows(admin_client):
    poll = make_poll(choices=("First", "Second"))
    version = versions.read(poll.pk)
    response = admin_client.post(
        f"{POLLS}{poll.pk}/change/", _change_data(poll, ["First", "Second", "Third"])
    )
    assert response.status_code == 302
    assert list(poll.choices.values_list("text", flat=True)) == ["First", "Second", "Third"]
    assert versions.read(poll.pk).content != version.content
    assert "Third" in voter_client().get(poll.get_absolute_url()).content.decode()


def test_an_admin_save_keeps_votes_and_a_close_made_while_the_form_was_open(admin_client):
    """The moderator loads the form; meanwhile readers vote and the trainer closes the poll;
    saving the form (unchanged but for the intro) loses none of it."""
    poll = make_poll(choices=("First", "Second"))
    first = poll.choices.first()
    loaded = _change_data(poll, ["First", "Second"])  # what the admin's form holds
    for n in range(3):
        assert (
            voter_client(f"meanwhile-{n}")
            .post(f"/polls/{poll.slug}/vote/", {"choice": first.pk})
            .status_code
            == 302
        )
    from polls import lifecycle

    lifecycle.poll_close(poll=poll)
    loaded["intro"] = "A better intro."
    assert admin_client.post(f"{POLLS}{poll.pk}/change/", loaded).status_code == 302
    poll.refresh_from_db()
    assert poll.intro == "A better intro."
    assert poll.state == "closed"
    assert Ballot.objects.filter(poll=poll).count() == 3
    assert count_results(poll).total == 3
    page = voter_client().get(poll.get_absolute_url()).content.decode()
    assert "This poll is closed" in page


def test_admin_cannot_reword_a_voted_choice_either(admin_client):
    poll = make_poll(choices=("Voted", "Unvoted"))
    make_ballots(poll, 1, choice=poll.choices.first())
    response = admin_client.post(
        f"{POLLS}{poll.pk}/change/", _change_data(poll, ["Reworded", "Unvoted"])
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "cannot be reworded" in response.content.decode()
    assert Choice.objects.filter(poll=poll, text="Voted").exists()


def test_admin_cannot_delete_a_voted_choice(admin_client):
    poll = make_poll(choices=("Voted", "Unvoted"))
    make_ballots(poll, 1, choice=poll.choices.first())
    response = admin_client.post(
        f"{POLLS}{poll.pk}/change/", _change_data(poll, ["Voted", "Unvoted"], delete=(0,))
    )
    assert response.status_code == 200
    assert "cannot be removed" in response.content.decode()
    assert poll.choices.count() == 2


def test_close_and_open_actions_use_the_services(admin_client):
    poll = make_poll()
    admin_client.post(POLLS, {"action": "close_polls", "_selected_action": [poll.pk]})
    poll.refresh_from_db()
    assert poll.state == "closed"
    admin_client.post(POLLS, {"action": "open_polls", "_selected_action": [poll.pk]})
    poll.refresh_from_db()
    assert poll.state == "open"


def test_publishing_in_the_admin_sets_the_publication_date(admin_client, superuser):
    poll = make_poll(status=Poll.Status.DRAFT, published_at=None, author=superuser)
    data = _change_data(poll, ["Yes", "No", "Something else"])
    data["status"] = Poll.Status.PUBLISHED
    assert admin_client.post(f"{POLLS}{poll.pk}/change/", data).status_code == 302
    poll.refresh_from_db()
    assert poll.published_at is not None


def test_ballots_are_listed_read_only(admin_client):
    poll = make_poll()
    make_ballots(poll, 2, choice=poll.choices.first())
    ballot = Ballot.objects.first()
    html = admin_client.get(BALLOTS).content.decode()
    assert ballot.voter_key in html and "Yes" in html
    assert admin_client.get(f"{BALLOTS}add/").status_code == 403
    assert admin_client.get(f"{BALLOTS}{ballot.pk}/change/").status_code == 200  # view only
    assert admin_client.post(f"{BALLOTS}{ballot.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Ballot.objects.count() == 2


def test_ballot_change_page_has_no_save_button(admin_client):
    poll = make_poll()
    make_ballots(poll, 1)
    html = admin_client.get(f"{BALLOTS}{Ballot.objects.get().pk}/change/").content.decode()
    assert 'name="_save"' not in html


def test_non_staff_trainer_gets_no_admin(client, trainer):
    client.force_login(trainer)
    response = client.get(POLLS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_inline_votes_are_read_only(admin_client):
    poll = make_poll()
    html = admin_client.get(f"{POLLS}{poll.pk}/change/").content.decode()
    assert 'name="choices-0-vote_count"' not in html
    assert '<td class="field-vote_count">' in html


def test_duplicate_action_copies_the_poll_as_a_draft_through_the_service(admin_client):
    poll = make_poll(question="Define feedback?")
    make_ballots(poll, 2)
    admin_client.post(POLLS, {"action": "duplicate_polls", "_selected_action": [poll.pk]})
    copy = Poll.objects.exclude(pk=poll.pk).get()
    assert copy.question == "Define feedback?" and copy.status == Poll.Status.DRAFT
    assert copy.choices.count() == poll.choices.count()
    assert not Ballot.objects.filter(poll=copy).exists()
