import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests log many accounts in; the real hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
