import pytest


@pytest.fixture
def poll(trainers_poll):
    return trainers_poll
