"""Times shown and entered in the trainer's time zone, stored in UTC."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from polls.models import Poll
from tests.factories import make_poll
from tests.polls.test_trainer import form_data

pytestmark = pytest.mark.django_db

SETTING = "/settings/time-zone/"


def test_trainer_chooses_a_zone_and_comes_back(client, trainer):
    client.force_login(trainer)
    html = client.get(SETTING).content.decode()
    assert '<option value="Europe/Paris"' in html and "data-prefer-browser" in html
    response = client.post(SETTING, {"time_zone": "Europe/Paris", "next": "/polls/new/"})
    assert response["Location"] == "/polls/new/"
    assert client.session["time_zone"] == "Europe/Paris"
    assert "Times are in Europe/Paris." in client.get("/polls/new/").content.decode()


def test_an_unknown_zone_is_refused_with_the_form_again(client, trainer):
    client.force_login(trainer)
    response = client.post(SETTING, {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "time_zone" not in client.session


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(SETTING).status_code == 302


def test_schedule_typed_in_the_trainers_zone_is_stored_in_utc(client, trainer):
    client.force_login(trainer)
    client.post(SETTING, {"time_zone": "Europe/Paris"})
    client.post(
        "/polls/new/",
        form_data("A", "B", opens_at="2030-07-01T10:00", closes_at="2030-07-01T12:00"),
    )
    poll = Poll.objects.get()
    assert poll.opens_at == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # Paris is UTC+2 in July
    html = client.get(f"/polls/{poll.slug}/edit/").content.decode()
    assert 'value="2030-07-01T10:00"' in html


def test_my_polls_shows_times_in_the_trainers_zone(client, trainer):
    # The closing time is shown only while the poll is open: always a January ahead.
    year = timezone.now().year + 1
    make_poll(author=trainer, closes_at=datetime(year, 1, 15, 9, 30, tzinfo=UTC))
    client.force_login(trainer)
    assert f"15 Jan {year}, 09:30" in client.get("/polls/mine/").content.decode()
    client.post(SETTING, {"time_zone": "Asia/Tokyo"})
    html = client.get("/polls/mine/").content.decode()
    assert f"15 Jan {year}, 18:30" in html and "Times are shown in Asia/Tokyo" in html
