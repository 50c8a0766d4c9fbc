import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from polls.models import Choice, Poll
from tests.factories import make_ballots, make_poll
from tests.factories import poll_form_data as form_data
from tests.polls.conftest import choice_ids, counts

pytestmark = pytest.mark.django_db

NEW = "/polls/new/"
MINE = "/polls/mine/"


def has_label(html: str, text: str) -> bool:
    return re.search(rf"<label[^>]*>\s*{re.escape(text)}\s*<", html) is not None


def edit_url(poll: Poll) -> str:
    return f"/polls/{poll.slug}/edit/"


# --- who may reach the trainer pages ------------------------------------------------------


@pytest.mark.parametrize("url", [NEW, MINE])
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [NEW, MINE])
def test_reader_without_trainer_permission_is_refused(client, reader, url):
    client.force_login(reader)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [NEW, MINE])
def test_trainer_and_superuser_reach_the_trainer_pages(client, trainer, superuser, url):
    for user in (trainer, superuser):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_nobody_but_a_trainer_can_create_a_poll_by_posting(client, reader):
    assert client.post(NEW, form_data("A", "B")).status_code == 302  # to log in
    client.force_login(reader)
    assert client.post(NEW, form_data("A", "B")).status_code == 403
    assert not Poll.objects.exists()


def test_trainer_cannot_edit_another_trainers_poll(client, trainer, other_trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    client.force_login(other_trainer)
    assert client.get(edit_url(poll)).status_code == 403
    data = form_data("Hijacked", "B", question="Hijacked?", ids=choice_ids(poll))
    assert client.post(edit_url(poll), data).status_code == 403
    poll.refresh_from_db()
    assert poll.question != "Hijacked?"
    assert list(poll.choices.values_list("text", flat=True)) == ["A", "B"]


def test_trainer_cannot_close_or_export_another_trainers_poll(client, trainer, other_trainer):
    poll = make_poll(author=trainer)
    client.force_login(other_trainer)
    assert client.post(f"/polls/{poll.slug}/close/").status_code == 403
    assert client.get(f"/polls/{poll.slug}/results.csv").status_code == 403
    poll.refresh_from_db()
    assert poll.is_open


def test_reader_and_anonymous_cannot_edit_close_or_export(client, reader, trainer):
    poll = make_poll(author=trainer)
    for url in (edit_url(poll), f"/polls/{poll.slug}/results.csv"):
        assert client.get(url).status_code == 302
    assert client.post(f"/polls/{poll.slug}/close/").status_code == 302
    client.force_login(reader)
    for url in (edit_url(poll), f"/polls/{poll.slug}/results.csv"):
        assert client.get(url).status_code == 403
    assert client.post(f"/polls/{poll.slug}/close/").status_code == 403


def test_superuser_may_edit_any_poll(client, trainer, superuser):
    poll = make_poll(author=trainer)
    client.force_login(superuser)
    assert client.get(edit_url(poll)).status_code == 200


def test_navigation_shows_trainer_links_only_to_trainers(client, trainer, reader):
    client.force_login(reader)
    assert "New poll" not in client.get("/").content.decode()
    client.force_login(trainer)
    html = client.get("/").content.decode()
    assert f'href="{NEW}">New poll</a>' in html
    assert f'href="{MINE}">My polls</a>' in html


# --- the new poll form --------------------------------------------------------------------


def test_new_poll_form_has_the_labelled_fields_and_buttons(client, trainer):
    client.force_login(trainer)
    html = client.get(NEW).content.decode()
    assert "<h1" in html and "New poll</h1>" in html
    for label in ("Question", "Intro", "Choice 1", "Choice 2", "Choice 3", "Choice 4"):
        assert has_label(html, label), label
    assert not has_label(html, "Choice 5")
    assert 'name="add_choice"' in html and ">Add another choice</button>" in html
    assert ">Publish</button>" in html and ">Save draft</button>" in html


def test_add_another_choice_works_without_javascript_and_keeps_the_text(client, trainer):
    client.force_login(trainer)
    data = form_data("First idea", "Second idea", question="Half written?", add_choice="1")
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert has_label(html, "Choice 3")
    assert 'value="First idea"' in html and 'value="Second idea"' in html
    assert 'value="Half written?"' in html
    assert "is-invalid" not in html  # adding a row is not a failed submission
    assert not Poll.objects.exists()


def test_publish_creates_the_poll_and_shows_it(client, trainer):
    client.force_login(trainer)
    response = client.post(NEW, form_data("Learning with others", "Social media", "", ""))
    poll = Poll.objects.get()
    assert response.status_code == 302
    assert response["Location"] == poll.get_absolute_url()
    assert poll.author == trainer and poll.is_open
    assert poll.slug == "how-would-you-define-social-learning"
    assert list(poll.choices.values_list("text", flat=True)) == [
        "Learning with others",
        "Social media",
    ]
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "Your poll is published." in html
    assert "<em>intro</em>" in html


def test_a_second_poll_with_the_same_question_gets_its_own_slug(client, trainer):
    client.force_login(trainer)
    client.post(NEW, form_data("A", "B"))
    client.post(NEW, form_data("A", "B"))
    assert sorted(Poll.objects.values_list("slug", flat=True)) == [
        "how-would-you-define-social-learning",
        "how-would-you-define-social-learning-2",
    ]


def test_save_draft_keeps_the_poll_off_the_home_page(client, trainer):
    client.force_login(trainer)
    client.post(NEW, form_data("A", "B", action="draft"))
    poll = Poll.objects.get()
    assert poll.status == Poll.Status.DRAFT
    assert poll.question not in Client().get("/").content.decode()
    # its author finds it on the home page, among their drafts, leading to its form
    mine = client.get("/").content.decode().split('id="drafts-heading"', 1)[1]
    assert f'href="/polls/{poll.slug}/edit/">{poll.question}</a>' in mine
    assert "This poll is a draft" in client.get(poll.get_absolute_url()).content.decode()


def test_form_errors_are_shown_and_nothing_is_saved(client, trainer):
    client.force_login(trainer)
    response = client.post(NEW, form_data("A", "B", question=""))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Poll.objects.exists()


def test_publishing_with_one_choice_explains_why_not(client, trainer):
    client.force_login(trainer)
    response = client.post(NEW, form_data("Only one", ""))
    assert response.status_code == 400
    assert "A published poll needs at least two choices." in response.content.decode()
    assert not Poll.objects.exists()


def test_schedule_opens_and_closes_at_the_given_times(client, trainer):
    client.force_login(trainer)
    opens = timezone.localtime() + timedelta(days=1)
    closes = opens + timedelta(days=2)
    data = form_data(
        "A",
        "B",
        opens_at=opens.strftime("%Y-%m-%dT%H:%M"),
        closes_at=closes.strftime("%Y-%m-%dT%H:%M"),
    )
    client.post(NEW, data)
    poll = Poll.objects.get()
    assert poll.state == "scheduled"
    assert "This poll opens on" in client.get(poll.get_absolute_url()).content.decode()


def test_schedule_closing_before_opening_is_refused(client, trainer):
    client.force_login(trainer)
    now = timezone.localtime()
    data = form_data(
        "A",
        "B",
        opens_at=now.strftime("%Y-%m-%dT%H:%M"),
        closes_at=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert "must close after it opens" in response.content.decode()


# --- editing ------------------------------------------------------------------------------


def test_edit_form_shows_the_poll_as_it_is(client, trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    client.force_login(trainer)
    html = client.get(edit_url(poll)).content.decode()
    assert f'value="{poll.question}"' in html
    assert 'value="A"' in html and 'value="B"' in html
    assert has_label(html, "Choice 3")  # one empty row to add a choice
    assert ">Save changes</button>" in html


def test_edit_saves_new_wording_of_unvoted_choices(client, trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    client.force_login(trainer)
    data = form_data("A", "B reworded", "C", question="New question?", ids=choice_ids(poll))
    response = client.post(edit_url(poll), data)
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.question == "New question?"
    assert list(poll.choices.values_list("text", flat=True)) == ["A", "B reworded", "C"]


def test_rewording_a_voted_choice_is_refused_with_an_explanation(client, trainer):
    poll = make_poll(author=trainer, choices=("Voted", "Unvoted"))
    make_ballots(poll, 2, choice=poll.choices.first())
    client.force_login(trainer)
    form_page = client.get(edit_url(poll)).content.decode()
    assert "This poll has 2 votes" in form_page
    assert "2 votes: this choice can no longer be reworded or removed." in form_page
    response = client.post(edit_url(poll), form_data("Changed", "Unvoted", ids=choice_ids(poll)))
    html = response.content.decode()
    assert response.status_code == 400
    assert "already has 2 votes, so it cannot be reworded" in html
    assert Choice.objects.filter(poll=poll, text="Voted").exists()


def test_removing_a_voted_choice_is_refused(client, trainer):
    poll = make_poll(author=trainer, choices=("Voted", "Unvoted", "Other"))
    make_ballots(poll, 1, choice=poll.choices.first())
    client.force_login(trainer)
    response = client.post(edit_url(poll), form_data("", "Unvoted", "Other", ids=choice_ids(poll)))
    assert response.status_code == 400
    assert "cannot be removed" in response.content.decode()
    assert poll.choices.count() == 3


def test_adding_a_choice_to_a_voted_poll_is_allowed(client, trainer):
    poll = make_poll(author=trainer, choices=("Voted", "Unvoted"))
    make_ballots(poll, 1, choice=poll.choices.first())
    client.force_login(trainer)
    data = form_data("Voted", "Unvoted", "Something else", ids=choice_ids(poll))
    assert client.post(edit_url(poll), data).status_code == 302
    assert list(poll.choices.values_list("text", flat=True)) == [
        "Voted",
        "Unvoted",
        "Something else",
    ]
    assert counts(poll) == (1, 1, [1, 0, 0])


def test_unpublish_moves_a_poll_back_to_draft(client, trainer):
    poll = make_poll(author=trainer, choices=("A", "B"))
    client.force_login(trainer)
    client.post(edit_url(poll), form_data("A", "B", ids=choice_ids(poll), action="draft"))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT


# --- close now, my polls, export ----------------------------------------------------------


def test_close_now_closes_the_poll(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    response = client.post(f"/polls/{poll.slug}/close/", follow=True)
    poll.refresh_from_db()
    assert poll.state == "closed"
    assert "The poll is closed." in response.content.decode()


def test_close_now_without_javascript_asks_first_and_closes_only_on_post(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    html = client.get(f"/polls/{poll.slug}/close/").content.decode()
    assert "Close “" in html and "now?" in html and 'method="post"' in html
    poll.refresh_from_db()
    assert poll.state == "open"


def test_close_now_returns_to_my_polls_when_asked(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    response = client.post(f"/polls/{poll.slug}/close/", {"next": MINE})
    assert response["Location"] == MINE
    response = client.post(f"/polls/{poll.slug}/close/", {"next": "https://evil.example/"})
    assert response["Location"] == poll.get_absolute_url()


def test_my_polls_lists_own_polls_with_drafts_and_totals(client, trainer, other_trainer):
    mine = make_poll(author=trainer, question="Mine published?")
    make_poll(author=trainer, question="Mine draft?", status=Poll.Status.DRAFT)
    make_poll(author=other_trainer, question="Not mine?")
    make_ballots(mine, 3)
    client.force_login(trainer)
    html = client.get(MINE).content.decode()
    assert "Mine published?" in html and "Mine draft?" in html
    assert "Not mine?" not in html
    assert '<td class="text-end">3</td>' in html
    assert "Close now" in html


def test_poll_page_offers_the_trainer_edit_export_and_close(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert f'href="/polls/{poll.slug}/edit/">Edit this poll</a>' in html
    assert f'href="/polls/{poll.slug}/results.csv">Download results (CSV)</a>' in html
    assert ">Close now</button>" in html


def test_csv_export_has_counts_percentages_and_total(client, trainer):
    poll = make_poll(author=trainer, choices=("=HYPERLINK(1)", "Plain"))
    make_ballots(poll, 3, choice=poll.choices.first())
    make_ballots(poll, 1, choice=poll.choices.last())
    client.force_login(trainer)
    response = client.get(f"/polls/{poll.slug}/results.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{poll.slug}-results.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Choice", "Votes", "Percent of voters"],
        ["'=HYPERLINK(1)", "3", "75.0"],  # never run as a spreadsheet formula
        ["Plain", "1", "25.0"],
        ["Total voters", "4", ""],
    ]


def test_staff_may_download_any_poll_results(client, trainer, moderator):
    poll = make_poll(author=trainer, results_visibility=Poll.ResultsVisibility.AUTHOR)
    client.force_login(moderator)
    assert client.get(f"/polls/{poll.slug}/results.csv").status_code == 200
