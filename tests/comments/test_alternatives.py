"""Write-in polls: "something else", "Your definition", similar definitions offered first,
and Agree / Disagree on each alternative definition."""

import re

import pytest
from django.test import Client, override_settings

from comments import alternatives
from comments.models import Agreement, Comment
from polls import editing
from polls.models import Poll
from tests.comments.alt_helpers import (
    agree_url,
    definition,
    definition_url,
    something_else,
    write_in_poll,
)
from tests.comments.helpers import approved_commenter, form_data
from tests.factories import make_poll, voter_client, voter_key_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(trainer):
    return write_in_poll(trainer)


def vote_for(client, poll, choice, **headers):
    return client.post(f"/polls/{poll.slug}/vote/", {"choice": choice.pk}, **headers)


def test_trainer_form_offers_the_write_in_and_creates_one_something_else_choice(trainer):
    poll = editing.poll_create(
        author=trainer,
        fields={"question": "Define it?", "write_in": True},
        choices=[editing.ChoiceInput(None, "A"), editing.ChoiceInput(None, "B")],
        publish=True,
    )
    assert [c.text for c in poll.choices.all()] == ["A", "B", "Something else"]
    assert poll.choices.filter(is_write_in=True).count() == 1
    # Editing the other choices keeps it; unticking takes it away.
    rows = [editing.ChoiceInput(c.pk, c.text) for c in poll.choices.filter(is_write_in=False)]
    editing.poll_update(
        poll=poll, fields={"question": "Define it?", "write_in": True}, choices=rows, publish=True
    )
    assert poll.choices.filter(is_write_in=True).count() == 1
    editing.poll_update(
        poll=poll, fields={"question": "Define it?", "write_in": False}, choices=rows, publish=True
    )
    assert not poll.choices.filter(is_write_in=True).exists()


def test_poll_form_has_the_write_in_checkbox(client, trainer):
    client.force_login(trainer)
    html = client.get("/polls/new/").content.decode()
    assert "Let voters propose their own definition" in html


def test_write_in_with_votes_cannot_be_taken_away(poll):
    vote_for(voter_client("w1"), poll, something_else(poll))
    rows = [editing.ChoiceInput(c.pk, c.text) for c in poll.choices.filter(is_write_in=False)]
    with pytest.raises(Exception, match="cannot be taken away"):
        editing.poll_update(
            poll=poll,
            fields={"question": poll.question, "write_in": False},
            choices=rows,
            publish=True,
        )


def test_voting_something_else_opens_the_composer_in_place_with_htmx(poll):
    client = voter_client("reader-a")
    html = vote_for(client, poll, something_else(poll), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="definition-composer"' in html
    assert "Your definition" in html
    assert 'name="name"' in html and 'name="email"' in html  # anonymous: name and email


def test_voting_something_else_without_js_shows_the_composer_on_the_next_page(poll):
    client = voter_client("reader-a")
    response = vote_for(client, poll, something_else(poll))
    assert response.status_code == 302
    assert "Your definition" in client.get(poll.get_absolute_url()).content.decode()


def test_voting_an_ordinary_choice_opens_no_composer(poll):
    client = voter_client("reader-b")
    vote_for(client, poll, poll.choices.first())
    assert "Your definition" not in client.get(poll.get_absolute_url()).content.decode()


def test_posted_definition_is_an_alternative_held_like_any_first_comment(poll, client):
    client = voter_client("reader-a")
    vote_for(client, poll, something_else(poll))
    data = form_data(client, body="Learning that happens *between* people")
    response = client.post(definition_url(poll), data)
    assert response.status_code == 302
    comment = Comment.objects.get(poll=poll)
    assert comment.is_alternative and comment.status == Comment.Status.PENDING
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "awaiting moderation" in page  # shown to its author
    assert "Your definition will appear in the discussion" in page  # the composer says so


def test_approved_definition_shows_labelled_in_thread_and_in_the_list(poll, client):
    comment = definition(poll)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "Alternative definition" in html
    assert f'id="alternative-{comment.pk}"' in html
    assert "Learning in a reading circle" in html


def test_returning_commenter_definition_is_published_at_once(poll):
    client = voter_client("reader-r")
    approved_commenter(poll, client)
    client.post(definition_url(poll), form_data(client, body="A circle that reads"))
    assert Comment.objects.get(is_alternative=True).status == Comment.Status.APPROVED


def test_a_definition_longer_than_a_choice_comes_back_with_the_text(poll):
    client = voter_client("reader-l")
    long_text = "word " * 80  # 399 characters once stripped
    response = client.post(definition_url(poll), form_data(client, body=long_text))
    assert response.status_code == 400
    html = response.content.decode()
    assert long_text.strip() in html  # all of it, to shorten
    assert (
        "Your definition is 399 characters long; a definition can be at most 300 characters. "
        "Please shorten it by 99 characters."
    ) in html
    assert not Comment.objects.exists()


def test_the_definition_box_never_cuts_a_paste(poll):
    client = voter_client("reader-m")
    html = client.post(definition_url(poll), form_data(client, body="")).content.decode()
    box = re.search(r'<textarea[^>]*id="id_definition_body"[^>]*>', html).group(0)
    assert "maxlength" not in box.replace("data-maxlength", "")
    assert 'data-maxlength="300"' in box  # the live counter's limit


def test_similar_definitions_are_offered_before_posting(poll):
    existing = definition(poll, body="Learning together in a reading circle")
    client = voter_client("reader-s")
    approved_commenter(poll, client)
    data = form_data(client, body="Learning together in a reading circle of colleagues")
    html = client.post(definition_url(poll), data, HTTP_HX_REQUEST="true").content.decode()
    assert "A similar definition is already here — agree with it instead?" in html
    assert f"/comments/{existing.pk}/agree/" in html
    assert Comment.objects.filter(is_alternative=True).count() == 1  # not posted yet
    client.post(definition_url(poll), {**data, "post_anyway": "1"})
    assert Comment.objects.filter(is_alternative=True).count() == 2


def test_similar_offers_at_most_three_and_ignores_unrelated(poll):
    for n in range(5):
        definition(poll, body=f"Learning together in a reading circle number {n}")
    definition(poll, body="Watching videos alone at night")
    found = alternatives.similar_alternatives(poll=poll, text="learning together reading circle")
    assert len(found) == 3
    assert all("reading circle" in c.body for c in found)


def test_held_definitions_are_not_offered_as_similar(poll):
    definition(poll, body="Learning together in a reading circle", status="pending")
    assert alternatives.similar_alternatives(poll=poll, text="reading circle together") == []


def test_agree_counts_one_answer_per_voter_and_can_change(poll):
    alt = definition(poll)
    client = voter_client("b")
    client.post(agree_url(alt), {"answer": "agree"})
    client.post(agree_url(alt), {"answer": "agree"})
    assert Agreement.objects.get().agrees is True
    client.post(agree_url(alt), {"answer": "disagree"})
    assert Agreement.objects.get().agrees is False
    voter_client("c").post(agree_url(alt), {"answer": "agree"})
    row = alternatives.alternatives(poll).get()
    assert (row.agree_count, row.disagree_count) == (1, 1)


def test_agree_with_htmx_answers_with_the_item_and_counts(poll):
    alt = definition(poll)
    client = voter_client("b")
    response = client.post(agree_url(alt), {"answer": "agree"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'id="alternative-{alt.pk}"' in html
    assert 'aria-pressed="true"' in html
    assert '<span class="badge text-bg-light agree-count">1</span>' in html


def test_agree_without_js_redirects_to_the_definition_and_marks_the_answer(poll):
    alt = definition(poll)
    client = voter_client("b")
    response = client.post(agree_url(alt), {"answer": "agree"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#alternative-{alt.pk}")
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "You agree with this definition." in page
    assert 'aria-pressed="true"' in page  # their own answer, on a page rendered for them


def test_answer_shows_on_the_next_anonymous_load(poll, client):
    alt = definition(poll)
    client.get(poll.get_absolute_url())  # cached for first-time readers
    voter_client("b").post(agree_url(alt), {"answer": "agree"})
    html = client.get(poll.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-light agree-count">1</span>' in html


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_hidden_definitions_cannot_be_answered_or_counted(poll, status):
    alt = definition(poll, status=status)
    response = voter_client("b").post(agree_url(alt), {"answer": "agree"})
    assert response.status_code == 404
    assert not Agreement.objects.exists()
    assert not alternatives.alternatives(poll).exists()


def test_an_answer_that_is_not_agree_or_disagree_is_a_400(poll):
    alt = definition(poll)
    assert voter_client("b").post(agree_url(alt), {"answer": "maybe"}).status_code == 400
    assert not Agreement.objects.exists()


@override_settings(POLLS_VOTE_RATE_LIMIT=3)
def test_answers_are_rate_limited_like_votes_without_a_lockout(poll):
    alt = definition(poll)
    statuses = [
        voter_client(f"room-{n}").post(agree_url(alt), {"answer": "agree"}).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert Agreement.objects.count() == 3


@override_settings(POLLS_VOTE_RATE_LIMIT=1)
def test_with_htmx_a_slowed_answer_says_why_in_place(poll):
    alt = definition(poll)
    htmx = {"HTTP_HX_REQUEST": "true"}
    voter_client("room-1").post(agree_url(alt), {"answer": "agree"}, **htmx)
    response = voter_client("room-2").post(agree_url(alt), {"answer": "agree"}, **htmx)
    assert response.status_code == 429
    assert response["HX-Reswap"] == "outerHTML"  # swapped in place by static/js/socialpoll.js
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="alternative-{alt.pk}"')  # the row, not a page
    assert "Too many answers from your network just now. Try again in" in html
    assert '<span class="badge text-bg-light agree-count">1</span>' in html


def test_most_agreed_sorts_by_agreement(poll):
    first = definition(poll, body="First one")
    second = definition(poll, body="Second one")
    for n in range(2):
        voter_client(f"v{n}").post(agree_url(first), {"answer": "agree"})
    rows = list(alternatives.alternatives_sorted(poll, sort="agreed"))
    assert [r.pk for r in rows] == [first.pk, second.pk]
    html = voter_client("z").get(f"{poll.get_absolute_url()}?alts=agreed").content.decode()
    assert html.index(f'id="alternative-{first.pk}"') < html.index(f'id="alternative-{second.pk}"')
    html = voter_client("z").get(f"{poll.get_absolute_url()}?alts=newest").content.decode()
    assert html.index(f'id="alternative-{second.pk}"') < html.index(f'id="alternative-{first.pk}"')


def test_agreeing_from_the_composer_keeps_the_composer(poll):
    alt = definition(poll)
    client = voter_client("s")
    response = client.post(
        agree_url(alt), {"answer": "agree", "from": "composer"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="definition-composer"' in response.content.decode()
    assert Agreement.objects.get().voter_key == voter_key_of(client)


def test_a_poll_without_write_in_has_no_definitions_endpoint(trainer, client):
    plain = make_poll(author=trainer)
    assert not Poll.objects.get(pk=plain.pk).write_in
    assert client.post(definition_url(plain), {}).status_code == 404


def test_agree_form_from_a_cached_page_carries_the_readers_own_csrf_token(poll):
    alt = definition(poll)
    Client().get(poll.get_absolute_url())  # the page is stored for first-time readers
    reader = Client(enforce_csrf_checks=True)
    html = reader.get(poll.get_absolute_url()).content.decode()
    form = html[html.index(f'action="/comments/{alt.pk}/agree/"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = reader.post(agree_url(alt), {"answer": "agree", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Agreement.objects.count() == 1
