import pytest
from django.core import mail

from tests.factories import make_poll


@pytest.fixture
def poll(db, trainer):
    trainer.email = "trainer@example.com"
    trainer.first_name, trainer.last_name = "Morgan", "Reyes"
    trainer.save()
    return make_poll(author=trainer)


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox
