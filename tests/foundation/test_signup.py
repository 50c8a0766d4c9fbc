"""Sign-up when the mail server is down: no account is left behind, the form says why."""

import smtplib
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_sign_up_with_the_mail_server_down_creates_nothing_and_says_so(client):
    data = {
        "username": "ana",
        "email": "ana@example.com",
        "password1": "a-long-walk-by-the-river",
        "password2": "a-long-walk-by-the-river",
    }
    with mock.patch("core.signup.send_mail", side_effect=smtplib.SMTPConnectError(421, "down")):
        response = client.post("/accounts/signup/", data)
    assert response.status_code == 400
    assert "could not send the confirmation email" in response.content.decode()
    assert not get_user_model().objects.filter(username="ana").exists()
