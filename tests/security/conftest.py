import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests log many accounts in; the real hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def blns() -> list[str]:
    from tests.security.naughty import naughty_strings

    return naughty_strings()
