"""The cache failing (issue 12.8): it costs speed, never a 500, a lost or a doubled write.

Two ways it fails:

* Redis is not there at all (REDIS_URL names a port nobody listens on);
* the cache breaks in the middle of a request, right after the vote or comment was
  committed: once as Redis does (its client raises a connection error), once as nothing
  we foresaw (every method of the backend raises).

Everything in the cache can be rebuilt from the database, so a broken cache behaves as an
empty one: pages are rendered from the database, writes are stored once, and rate limits
let requests through (docs/decisions.md).
"""

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client

from comments.models import Comment
from core.cache import ResilientRedisCache, _ReusedClientRedisCacheClient
from polls.models import Ballot
from tests.comments.helpers import add, form_data, post_url
from tests.factories import PASSWORD, make_poll, voter_client, voter_key_of

VOTER_COOKIE = "socialpoll_voter"
NOBODY_LISTENS = "redis://127.0.0.1:1/0"
REDIS = "redis://127.0.0.1:6379/9"  # a database number of our own


class Broken:
    """Whether the cache in use has broken yet (it breaks when a write commits)."""

    now = False


class RaisingRedisClient(_ReusedClientRedisCacheClient):
    """Redis as it fails: every command raises a connection error once broken."""

    def get_client(self, key=None, *, write=False):
        if Broken.now:
            raise redis.exceptions.ConnectionError("Connection refused (test)")
        return super().get_client(key, write=write)


class RedisThatBreaks(ResilientRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RaisingRedisClient


def _raise_when_broken(method):
    def wrapper(self, *args, **kwargs):
        if Broken.now:
            raise RuntimeError("the cache broke (test)")
        return method(self, *args, **kwargs)

    return wrapper


class CacheThatBreaks(LocMemCache):
    """A cache failing in a way nobody foresaw: every method raises once broken."""


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "get_or_set",
):
    setattr(CacheThatBreaks, _name, _raise_when_broken(getattr(LocMemCache, _name)))


BREAKING = {
    "redis-breaks": {"BACKEND": f"{__name__}.RedisThatBreaks", "LOCATION": REDIS},
    "anything-breaks": {"BACKEND": f"{__name__}.CacheThatBreaks", "LOCATION": "breaks"},
}


@pytest.fixture
def use_cache(settings):
    """Switch the default cache to this configuration for one test."""

    def switch(config: dict) -> None:
        cache.close()
        settings.CACHES = {"default": {**config, "KEY_PREFIX": "cache-faults"}}
        if not Broken.now:
            cache.clear()

    yield switch
    Broken.now = False
    cache.close()


@pytest.fixture
def breaks_on_commit(monkeypatch):
    """Break the cache right after the next database commit (the vote or comment)."""

    real_commit = connection.commit

    def commit(*args, **kwargs):
        real_commit(*args, **kwargs)
        Broken.now = True

    monkeypatch.setattr(connection, "commit", commit)
    yield
    Broken.now = False


# --- Redis not there at all -----------------------------------------------------------------
@pytest.fixture
def no_redis(db, use_cache):
    use_cache({"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": NOBODY_LISTENS})


def test_a_comment_is_stored_once_with_redis_unreachable(no_redis):
    poll = make_poll()
    browser = voter_client()
    response = browser.post(post_url(poll), form_data(browser))
    assert response.status_code == 302
    assert Comment.objects.filter(poll=poll).count() == 1


def test_login_works_with_redis_unreachable(no_redis, reader):
    browser = Client()
    assert browser.get("/accounts/login/").status_code == 200
    response = browser.post("/accounts/login/", {"username": reader.username, "password": PASSWORD})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(reader.pk)


def test_home_and_results_fragment_answer_with_redis_unreachable(no_redis):
    poll = make_poll(question="How would you define it?")
    voter_client().post(f"/polls/{poll.slug}/vote/", {"choice": poll.choices.first().pk})
    home = Client().get("/")
    assert home.status_code == 200 and "How would you define it?" in home.content.decode()
    results = Client().get(f"/polls/{poll.slug}/results/")
    assert results.status_code == 200 and "1 vote" in results.content.decode()


# --- the cache breaks right after the write commits ------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("config", list(BREAKING.values()), ids=list(BREAKING))
def test_a_vote_is_one_ballot_and_sets_the_cookie_when_the_cache_breaks_after_commit(
    use_cache, breaks_on_commit, config
):
    use_cache(config)
    poll = make_poll()
    browser = Client(raise_request_exception=False)
    choice = poll.choices.first().pk
    response = browser.post(f"/polls/{poll.slug}/vote/", {"choice": choice})
    assert Broken.now  # it did break, after the ballot was committed
    assert response.status_code == 302
    assert VOTER_COOKIE in response.cookies
    assert Ballot.objects.filter(poll=poll).count() == 1
    # The same browser trying again is the same voter: still one ballot.
    again = browser.post(f"/polls/{poll.slug}/vote/", {"choice": choice})
    assert again.status_code == 409
    assert Ballot.objects.filter(poll=poll).count() == 1
    # Pages degrade to rendering from the database.
    page = browser.get(poll.get_absolute_url())
    assert page.status_code == 200 and "1 vote" in page.content.decode()
    assert Client(raise_request_exception=False).get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("config", list(BREAKING.values()), ids=list(BREAKING))
def test_a_retried_comment_is_stored_once_when_the_cache_breaks_after_commit(
    use_cache, breaks_on_commit, config
):
    use_cache(config)
    poll = make_poll()
    add(poll, name="Ada", body="Earlier.", author_key="anon:returning-commenter")
    browser = voter_client("returning-commenter", raise_request_exception=False)
    data = form_data(browser, body="Said once, sent twice.")
    first = browser.post(post_url(poll), data)
    assert Broken.now
    assert first.status_code == 302
    retry = browser.post(post_url(poll), data)  # the same form again: the answer was lost
    assert retry.status_code == 302
    assert Comment.objects.filter(body="Said once, sent twice.").count() == 1
    page = browser.get(poll.get_absolute_url())
    assert page.status_code == 200 and "Said once, sent twice." in page.content.decode()
    assert voter_key_of(browser) == "anon:returning-commenter"


# --- what needs the cache: rate limits fail open ---------------------------------------------
@pytest.mark.parametrize("config", list(BREAKING.values()), ids=list(BREAKING))
def test_rate_limits_let_requests_through_while_the_cache_is_broken(
    db, use_cache, settings, reader, config
):
    settings.POLLS_VOTE_RATE_LIMIT = 1
    settings.SIGNIN_ADDRESS_FAILURES = settings.SIGNIN_ACCOUNT_FAILURES = 1
    Broken.now = True
    use_cache(config)
    poll = make_poll()
    choice = poll.choices.first().pk
    statuses = [
        voter_client().post(f"/polls/{poll.slug}/vote/", {"choice": choice}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 302]  # over the limit of 1, from one address
    for _ in range(3):
        wrong = Client().post("/accounts/login/", {"username": reader.username, "password": "x"})
        assert wrong.status_code == 200
    right = Client().post("/accounts/login/", {"username": reader.username, "password": PASSWORD})
    assert right.status_code == 302


def test_code_and_templates_reach_the_cache_only_through_the_guard():
    """core.cache.cache and {% load safe_cache %}: Django's own `cache` object and
    `{% cache %}` tag would let a failure through as a 500."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    modules = [
        path
        for app in ("core", "polls", "comments", "socialpoll")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "cache.py"
    ]
    direct = re.compile(r"from django\.core\.cache import .*\bcache\b|django\.core\.cache\.cache")
    offenders = [str(p.relative_to(root)) for p in modules if direct.search(p.read_text())]
    loads = re.compile(r"{%\s*load\b[^%]*\bcache\b[^%]*%}")
    offenders += [
        str(p.relative_to(root))
        for p in (root / "templates").rglob("*.html")
        if loads.search(p.read_text())
    ]
    assert offenders == []
