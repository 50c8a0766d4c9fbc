import pytest


@pytest.fixture(scope="session")
def blns() -> list[str]:
    from tests.security.naughty import naughty_strings

    return naughty_strings()


@pytest.fixture
def poll(trainers_poll):
    return trainers_poll
