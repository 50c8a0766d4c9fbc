"""Limits on signing in and password resets (issue 12.11).

Wrong passwords are limited per address and per account, with a 429, a Retry-After header
and a message; a browser that has signed in to an account before has an allowance of its
own, so a stranger's guesses cannot lock a trainer out. Password resets are limited per
address and per email address, alike whether an account has the address or not.
"""

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RESET = "/accounts/password_reset/"
WRONG = "Please enter a correct username and password"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.SIGNIN_ADDRESS_FAILURES = 5
    settings.SIGNIN_ACCOUNT_FAILURES = 3
    settings.SIGNIN_RESET_ADDRESS_LIMIT = 4
    settings.SIGNIN_RESET_EMAIL_LIMIT = 2


def sign_in(browser: Client, username: str, password: str, *, path: str = LOGIN, **extra):
    return browser.post(path, {"username": username, "password": password}, **extra)


def assert_refused(response, *words: str) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60 * 60
    page = response.content.decode()
    for word in words:
        assert word in page
    assert 'role="alert"' in page or "<h1>Slow down a little</h1>" in page


def test_wrong_passwords_from_one_address_are_slowed_down(trainer):
    browser = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(5):  # guesses at several accounts
        response = sign_in(browser, f"someone-{number}", "guess")
        assert response.status_code == 200 and WRONG in response.content.decode()
    response = sign_in(browser, trainer.username, "guess")
    assert_refused(response, "Too many failed sign-ins came from your network", "minute")
    # While the limit holds nothing is checked, not even a right password.
    assert sign_in(browser, trainer.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in browser.session


def test_wrong_passwords_for_one_account_from_many_addresses_are_slowed_down(trainer):
    for number in range(3):
        stranger = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        assert sign_in(stranger, trainer.username, "guess").status_code == 200
    response = sign_in(Client(REMOTE_ADDR="192.0.2.50"), trainer.username.upper(), "guess")
    assert_refused(response, "Too many failed sign-ins for this account")
    # Other accounts are not affected.
    other = make_user("someone-else")
    assert sign_in(Client(REMOTE_ADDR="192.0.2.51"), other.username, PASSWORD).status_code == 302


def test_a_stranger_cannot_lock_the_trainer_out_of_their_usual_browser(trainer):
    usual = Client(REMOTE_ADDR="203.0.113.7")
    assert sign_in(usual, trainer.username, PASSWORD).status_code == 302
    usual.post("/accounts/logout/")
    for number in range(10):  # the stranger, even from the trainer's own network
        stranger = Client(REMOTE_ADDR="203.0.113.7" if number % 2 else f"198.51.100.{number}")
        sign_in(stranger, trainer.username, "guess")
    assert sign_in(Client(REMOTE_ADDR="192.0.2.9"), trainer.username, PASSWORD).status_code == 429
    response = sign_in(usual, trainer.username, PASSWORD)
    assert response.status_code == 302
    assert usual.session["_auth_user_id"] == str(trainer.pk)


def test_the_usual_browser_has_a_limit_of_its_own(trainer):
    usual = Client()
    assert sign_in(usual, trainer.username, PASSWORD).status_code == 302
    usual.post("/accounts/logout/")
    for _ in range(3):
        assert sign_in(usual, trainer.username, "typo").status_code == 200
    assert_refused(sign_in(usual, trainer.username, PASSWORD), "Too many failed sign-ins")


def test_the_admin_login_has_the_same_limits(superuser):
    browser = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(3):
        assert (
            sign_in(browser, superuser.username, "guess", path="/admin/login/").status_code == 200
        )
    response = sign_in(browser, superuser.username, PASSWORD, path="/admin/login/")
    assert_refused(response, "Too many failed sign-ins for this account")
    # Guesses on the admin count on the site's login too, and the other way round.
    assert sign_in(Client(), superuser.username, PASSWORD).status_code == 429


def test_the_admin_login_remembers_the_browser(superuser):
    usual = Client()
    assert sign_in(usual, superuser.username, PASSWORD, path="/admin/login/").status_code == 302
    usual.post("/admin/logout/")
    for number in range(5):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{number + 1}"), superuser.username, "guess")
    assert sign_in(usual, superuser.username, PASSWORD, path="/admin/login/").status_code == 302


def reset(browser: Client, email: str):
    return browser.post(RESET, {"email": email})


def test_resets_to_one_address_are_limited_and_say_so(trainer):
    mail.outbox.clear()
    for number in range(2):
        assert (
            reset(Client(REMOTE_ADDR=f"198.51.100.{number + 1}"), trainer.email).status_code == 302
        )
    assert len(mail.outbox) == 2
    response = reset(Client(REMOTE_ADDR="192.0.2.1"), trainer.email.upper())
    assert_refused(response, "Several reset links were asked for this email address")
    assert f'value="{trainer.email.upper()}"' in response.content.decode()  # kept
    assert len(mail.outbox) == 2


def test_the_answer_is_the_same_for_an_address_without_an_account(trainer):
    for email in (trainer.email, "nobody@example.com"):
        answers = [reset(Client(REMOTE_ADDR=f"198.51.100.{n}"), email) for n in range(3)]
        assert [a.status_code for a in answers] == [302, 302, 429]
        assert "If it belongs to an account" in answers[-1].content.decode()


def test_resets_from_one_address_are_limited(trainer):
    browser = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(4):
        assert reset(browser, f"person{number}@example.com").status_code == 302
    assert_refused(reset(browser, trainer.email), "from your network")
