"""A trainer's conveniences: close (asks first), reopen, duplicate, delete an unvoted poll."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from polls import editing, lifecycle
from polls.models import Ballot, Poll
from tests.factories import make_ballots, make_poll

pytestmark = pytest.mark.django_db

MINE = "/polls/mine/"


def url(poll, action):
    return f"/polls/{poll.slug}/{action}/"


def test_close_now_link_opens_a_confirmation_that_comes_back_to_my_polls(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    html = client.get(MINE).content.decode()
    assert f'href="/polls/{poll.slug}/close/?next=/polls/mine/"' in html
    assert f'<dialog id="confirm-close-{poll.slug}"' in html
    page = client.get(f"{url(poll, 'close')}?next={MINE}").content.decode()
    assert 'name="next" value="/polls/mine/"' in page
    response = client.post(url(poll, "close"), {"next": MINE})
    assert response["Location"] == MINE
    poll.refresh_from_db()
    assert poll.state == "closed"


def test_confirmation_ignores_a_next_address_off_the_site(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    page = client.get(f"{url(poll, 'close')}?next=https://evil.example/").content.decode()
    assert "evil.example" not in page


def test_reopen_opens_a_closed_poll_again(client, trainer):
    poll = lifecycle.poll_close(poll=make_poll(author=trainer))
    client.force_login(trainer)
    assert "Reopen" in client.get(MINE).content.decode()
    response = client.post(url(poll, "reopen"), follow=True)
    poll.refresh_from_db()
    assert poll.state == "open" and poll.closes_at is None
    assert "The poll is open again." in response.content.decode()


def test_duplicate_copies_settings_and_choices_as_a_draft_without_ballots(client, trainer):
    poll = make_poll(
        author=trainer,
        intro="Read *this*.",
        multiple=True,
        max_choices=2,
        results_visibility=Poll.ResultsVisibility.AFTER_CLOSE,
        notify_pending=True,
        closes_at=timezone.now() + timedelta(days=1),
    )
    make_ballots(poll, 3)
    client.force_login(trainer)
    response = client.post(url(poll, "duplicate"))
    copy = Poll.objects.exclude(pk=poll.pk).get()
    assert response["Location"] == f"/polls/{copy.slug}/edit/"
    assert copy.slug != poll.slug and copy.question == poll.question
    assert copy.status == Poll.Status.DRAFT and copy.author == trainer
    assert (copy.intro, copy.multiple, copy.max_choices) == ("Read *this*.", True, 2)
    assert copy.results_visibility == Poll.ResultsVisibility.AFTER_CLOSE
    assert copy.notify_pending and copy.closes_at is None
    assert [c.text for c in copy.choices.all()] == [c.text for c in poll.choices.all()]
    assert not Ballot.objects.filter(poll=copy).exists()


def test_delete_asks_first_then_deletes_a_poll_without_ballots(client, trainer):
    poll = make_poll(author=trainer)
    client.force_login(trainer)
    page = client.get(url(poll, "delete")).content.decode()
    assert "Delete “" in page and ">Delete poll</button>" in page
    assert Poll.objects.filter(pk=poll.pk).exists()
    response = client.post(url(poll, "delete"))
    assert response["Location"] == MINE
    assert not Poll.objects.filter(pk=poll.pk).exists()
    assert client.get(poll.get_absolute_url()).status_code == 404


def test_delete_is_refused_with_a_clear_message_when_the_poll_has_ballots(client, trainer):
    poll = make_poll(author=trainer)
    make_ballots(poll, 2)
    client.force_login(trainer)
    page = client.get(url(poll, "delete")).content.decode()
    assert "has 2 votes, so it cannot be deleted" in page
    assert ">Delete poll</button>" not in page
    response = client.post(url(poll, "delete"), {"next": MINE})
    assert response["Location"] == MINE
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "has 2 votes, so it cannot be deleted" in message
    assert Poll.objects.filter(pk=poll.pk).exists()
    assert f"/polls/{poll.slug}/delete/" not in client.get(MINE).content.decode()


@pytest.mark.parametrize("action", ["reopen", "duplicate", "delete", "close"])
def test_another_trainer_cannot_use_the_tools(client, trainer, other_trainer, action):
    poll = lifecycle.poll_close(poll=make_poll(author=trainer))
    client.force_login(other_trainer)
    assert client.post(url(poll, action)).status_code == 403
    assert Poll.objects.count() == 1


def test_poll_page_offers_reopen_duplicate_and_delete(client, trainer):
    poll = lifecycle.poll_close(poll=make_poll(author=trainer))
    client.force_login(trainer)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert f'action="/polls/{poll.slug}/reopen/"' in html
    assert f'action="/polls/{poll.slug}/duplicate/"' in html
    assert f'href="/polls/{poll.slug}/delete/"' in html


def test_service_refuses_to_discard_a_voted_poll():
    poll = make_poll()
    make_ballots(poll, 1)
    with pytest.raises(editing.ValidationError) as caught:
        lifecycle.poll_discard(poll=poll)
    assert caught.value.code == "has_ballots"
