import pytest


@pytest.fixture(scope="session")
def blns() -> list[str]:
    from tests.security.naughty import naughty_strings

    return naughty_strings()


@pytest.fixture
def poll(trainer):
    """A published poll by the trainer "Morgan Reyes" (trainer@example.com)."""
    from tests.factories import make_poll

    trainer.email = "trainer@example.com"
    trainer.first_name, trainer.last_name = "Morgan", "Reyes"
    trainer.save()
    return make_poll(author=trainer)


@pytest.fixture
def outbox():
    from django.core import mail

    mail.outbox.clear()
    return mail.outbox
