"""The "Remember me" cookie: only what this site signed fills in a form."""

import pytest

from comments.remember import COMMENTER_COOKIE
from tests.factories import make_poll

pytestmark = pytest.mark.django_db


def test_a_forged_remember_me_cookie_fills_in_nothing(client):
    poll = make_poll()
    forged = "eyJuYW1lIjogIk1hbGxvcnkiLCAiZW1haWwiOiAibUBleGFtcGxlLmNvbSJ9:forged"
    client.cookies[COMMENTER_COOKIE] = forged
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "Mallory" not in html and "m@example.com" not in html
