"""Show / Hide results: while hidden only the trainer and staff see counts, everywhere."""

import pytest
from django.test import Client

from core import versions
from polls import lifecycle
from polls.models import Poll
from tests.factories import make_poll, make_user, voter_client
from tests.polls.conftest import choice_ids, vote_url

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def hidden_poll(trainer) -> Poll:
    poll = make_poll(author=trainer, choices=("Alpha", "Beta"))
    return lifecycle.poll_reveal(poll=poll, show=False)


def voted(poll: Poll, index: int = 0) -> Client:
    client = voter_client()
    assert client.post(vote_url(poll), {"choice": choice_ids(poll)[index]}).status_code == 302
    return client


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_voter_sees_their_choice_but_no_counts_while_hidden(hidden_poll):
    html = voted(hidden_poll).get(hidden_poll.get_absolute_url()).content.decode()
    assert "You voted for <strong>Alpha</strong>" in html
    assert "1 vote" not in html and "100%" not in html
    assert "The trainer will show the results" in html


def test_the_fragment_keeps_counts_back_but_keeps_asking_while_hidden(hidden_poll):
    response = voted(hidden_poll).get(f"/polls/{hidden_poll.slug}/results/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "vote" not in html.split("</h2>")[1]  # no count after the heading
    assert "data-hx-trigger" in html  # the reveal will reach this reader without a reload


def test_revealing_shows_the_counts_to_the_room_at_once(hidden_poll):
    reader = voted(hidden_poll)
    anonymous = Client()
    assert "1 vote" not in anonymous.get(hidden_poll.get_absolute_url()).content.decode()
    lifecycle.poll_reveal(poll=hidden_poll, show=True)
    assert "1 vote · 100%" in reader.get(f"/polls/{hidden_poll.slug}/results/").content.decode()
    assert "1 vote · 100%" in anonymous.get(hidden_poll.get_absolute_url()).content.decode()


def test_hiding_takes_counts_off_a_cached_anonymous_page(trainer):
    poll = make_poll(author=trainer)
    voted(poll)
    anonymous = Client()
    assert "1 vote · 100%" in anonymous.get(poll.get_absolute_url()).content.decode()
    lifecycle.poll_reveal(poll=poll, show=False)
    assert "1 vote" not in anonymous.get(poll.get_absolute_url()).content.decode()


def test_the_trainer_and_staff_still_see_the_counts_and_the_csv(hidden_poll, trainer):
    voted(hidden_poll)
    staff = make_user(is_staff=True)
    for user in (trainer, staff):
        client = logged_in(user)
        html = client.get(hidden_poll.get_absolute_url()).content.decode()
        assert "1 vote · 100%" in html and "Hidden from the room" in html
        assert client.get(f"/polls/{hidden_poll.slug}/results.csv").status_code == 200
    reader = logged_in(make_user())
    assert reader.get(f"/polls/{hidden_poll.slug}/results.csv").status_code == 403


def test_hidden_wins_over_every_visibility_rule(trainer):
    for rule in Poll.ResultsVisibility:
        poll = make_poll(author=trainer, results_visibility=rule, results_hidden=True)
        assert not poll.results_visible_to(make_user(), has_voted=True)
        assert poll.results_visible_to(trainer, has_voted=False)


def test_shown_falls_back_to_the_poll_s_own_rule(trainer):
    poll = make_poll(author=trainer, results_visibility=Poll.ResultsVisibility.AFTER_VOTE)
    assert not poll.results_visible_to(make_user(), has_voted=False)
    assert poll.results_visible_to(make_user(), has_voted=True)


def test_reveal_replaces_the_poll_s_version(hidden_poll):
    before = versions.read(hidden_poll.pk)
    lifecycle.poll_reveal(poll=hidden_poll, show=True)
    after = versions.read(hidden_poll.pk)
    assert before.content != after.content and before.results != after.results


def test_the_trainer_s_button_posts_with_csrf_and_comes_back(hidden_poll, trainer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    html = client.get(hidden_poll.get_absolute_url()).content.decode()
    assert "Show results</button>" in html
    token = client.cookies["csrftoken"].value
    url = f"/polls/{hidden_poll.slug}/reveal/"
    assert client.post(url, {"show": "1"}).status_code == 403  # no token
    response = client.post(
        url, {"show": "1", "next": hidden_poll.get_absolute_url(), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response.url == hidden_poll.get_absolute_url()
    hidden_poll.refresh_from_db()
    assert not hidden_poll.results_hidden


def test_only_the_poll_s_trainer_may_reveal(hidden_poll, other_trainer):
    url = f"/polls/{hidden_poll.slug}/reveal/"
    assert logged_in(other_trainer).post(url, {"show": "1"}).status_code == 403
    assert Client().post(url, {"show": "1"}).status_code == 302  # to the login page
    hidden_poll.refresh_from_db()
    assert hidden_poll.results_hidden


def test_the_admin_actions_show_and_hide_through_the_service(hidden_poll, superuser):
    client = logged_in(superuser)
    changelist = "/admin/polls/poll/"
    data = {"action": "show_results", "_selected_action": [hidden_poll.pk]}
    assert client.post(changelist, data).status_code == 302
    hidden_poll.refresh_from_db()
    assert not hidden_poll.results_hidden
    client.post(changelist, {**data, "action": "hide_results"})
    hidden_poll.refresh_from_db()
    assert hidden_poll.results_hidden


def test_the_admin_form_s_field_goes_through_the_same_service(hidden_poll, superuser, rf):
    from django.contrib import admin

    class EditedForm:  # what the admin's form reports: only this field was edited
        cleaned_data = {"results_hidden": False}

        def edited_fields(self):
            return ["results_hidden"]

    before = versions.read(hidden_poll.pk)
    request = rf.post("/admin/polls/poll/")
    request.user = superuser
    admin.site._registry[Poll].save_model(request, hidden_poll, EditedForm(), change=True)
    hidden_poll.refresh_from_db()
    assert not hidden_poll.results_hidden
    assert versions.read(hidden_poll.pk).results != before.results


def test_hiding_takes_counts_off_the_embed_and_reveal_brings_them_back(trainer):
    poll = make_poll(author=trainer, question="Framed?")
    voter = voted(poll)
    embed = f"/polls/{poll.slug}/embed/"
    assert "1 vote · 100%" in voter.get(embed).content.decode()
    lifecycle.poll_reveal(poll=poll, show=False)
    html = voter.get(embed).content.decode()
    assert "1 vote" not in html and "100%" not in html
    assert "The trainer will show the results" in html
    lifecycle.poll_reveal(poll=poll, show=True)
    assert "1 vote · 100%" in voter.get(embed).content.decode()


def test_hiding_takes_the_preview_off_the_home_page_card(trainer):
    poll = make_poll(
        author=trainer,
        question="Previewed?",
        results_visibility=Poll.ResultsVisibility.ALWAYS,
        choices=("Alpha", "Beta"),
    )
    voted(poll)

    def card() -> str:
        return Client().get("/").content.decode().split("Previewed?", 1)[1].split("</article>")[0]

    assert "Alpha" in card() and "100%" in card()
    lifecycle.poll_reveal(poll=poll, show=False)
    assert "Alpha" not in card() and "100%" not in card()
    lifecycle.poll_reveal(poll=poll, show=True)
    assert "100%" in card()
