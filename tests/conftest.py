import time
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests.factories import make_user
from tests.feedserver import feed_server  # noqa: F401 - the fixture, for every suite


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Accounts are made in many tests; the real hasher's deliberate cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached fragments must not leak from one test to the next."""
    from polls import live, pagecache

    cache.clear()
    pagecache.clear_local()
    live.clear_local()
    yield
    cache.clear()
    pagecache.clear_local()
    live.clear_local()


@pytest.fixture(autouse=True)
def _rate_limit_windows_hold_still(monkeypatch):
    """Rate limits count in fixed windows of the wall clock (core.ratelimit). A test that
    counts hits must not see its window roll over between two requests (the counter would
    start again and a 429 it expects would not come), so within one test the limits' clock
    stands still at the instant the test began."""
    from core import ratelimit

    now = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def trainer(db):
    user = make_user("trainer-a")
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def other_trainer(db):
    user = make_user("trainer-b")
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def reader(db):
    return make_user("reader")


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import Permission

    user = make_user("moderator", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["comments"]))
    return user


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def trainers_poll(trainer):
    """A published poll by the trainer "Morgan Reyes" (trainer@example.com)."""
    from tests.factories import make_poll

    trainer.email = "trainer@example.com"
    trainer.first_name, trainer.last_name = "Morgan", "Reyes"
    trainer.save()
    return make_poll(author=trainer)


@pytest.fixture
def outbox():
    """The emails sent so far in this test (Django's locmem backend), emptied first."""
    from django.core import mail

    mail.outbox.clear()
    return mail.outbox


@pytest.fixture
def cache_unreachable(settings):
    """Redis configured as the cache, with nothing listening where it should be."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    cache.close()
    yield
    cache.close()
