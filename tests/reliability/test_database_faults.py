"""The database going away mid-request: a friendly 503, and nothing half-written after it."""

from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import override_settings

from polls.models import Ballot, Poll
from polls.results import count_results
from tests.factories import make_poll
from tests.processes import UNREACHABLE_DATABASES, run_python

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


class FailOn:
    """An execute wrapper that breaks the connection at the first statement matching `marker`.

    Statements before it run for real (and may already have written rows inside the
    transaction), which is exactly the "server went away between two statements" case.
    """

    def __init__(self, *words: str):
        self.words = [word.lower() for word in words]
        self.tripped = 0

    def __call__(self, execute, sql, params, many, context):
        if all(word in sql.lower() for word in self.words):
            self.tripped += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def vote(client, poll, choice):
    return client.post(f"/polls/{poll.slug}/vote/", {"choice": [choice.pk]})


def assert_counts(poll: Poll, *, ballots: int) -> None:
    assert Ballot.objects.filter(poll=poll).count() == ballots
    results = count_results(poll)
    assert results.total == sum(row.votes for row in results.rows) == ballots


@pytest.mark.parametrize(
    "breaks_at",
    [
        ("select", '"polls_choice"'),  # after the poll's lock and the poll were read
        ("insert", '"polls_ballot" '),  # the ballot itself
        ("insert", '"polls_ballot_choices"'),  # after the ballot row was inserted
    ],
    ids=["before-the-ballot", "at-the-ballot", "before-its-choices"],
)
def test_vote_interrupted_between_statements_answers_503_and_writes_nothing(client, breaks_at):
    poll = make_poll()
    choice = poll.choices.first()
    failure = FailOn(*breaks_at)
    with connection.execute_wrapper(failure):
        response = vote(client, poll, choice)
    assert failure.tripped == 1
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.content.decode()
    assert "<h1>Back in a moment</h1>" in page
    assert "Traceback" not in page
    assert_counts(poll, ballots=0)


def test_after_the_database_returns_the_same_voter_can_vote_once(client):
    poll = make_poll()
    choice = poll.choices.first()
    with connection.execute_wrapper(FailOn("insert", '"polls_ballot_choices"')):
        assert vote(client, poll, choice).status_code == 503
    assert vote(client, poll, choice).status_code == 302
    assert vote(client, poll, choice).status_code == 409  # still one ballot per voter
    assert_counts(poll, ballots=1)
    assert count_results(poll).counts()[choice.pk] == 1


def test_every_query_failing_gives_the_503_page_on_reads(client):
    poll = make_poll()
    with connection.execute_wrapper(FailOn("select")):
        for path in ["/", poll.get_absolute_url()]:
            response = client.get(path)
            assert response.status_code == 503, path
            assert "Back in a moment" in response.content.decode()


def test_signed_in_reader_gets_503_when_the_session_table_is_gone(client, reader):
    client.force_login(reader)
    with connection.execute_wrapper(FailOn("django_session")):
        response = client.get("/")
    assert response.status_code == 503


DEAD_DATABASE = """
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "socialpoll.settings"
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
def show(label, r):
    friendly = "Back in a moment" in r.content.decode()
    print(label, r.status_code, r.headers.get("Retry-After"), friendly)
for path in ["/", "/polls/anything/", "/accounts/login/"]:
    show(path, client.get(path))
show("vote", client.post("/polls/anything/vote/", {"choice": "1"}))
"""


@UNREACHABLE_DATABASES
def test_server_started_without_a_reachable_database_answers_503(database_url):
    result = run_python(DEAD_DATABASE, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    # The login page needs no database and keeps working.
    assert lines == [
        "/ 503 30 True",
        "/polls/anything/ 503 30 True",
        "/accounts/login/ 200 None False",
        "vote 503 30 True",
    ]


def post_comment(client, poll, body: str):
    from tests.comments.helpers import served_token

    return client.post(
        f"/polls/{poll.slug}/comments/",
        {
            "name": "Ada",
            "email": "ada@example.com",
            "body": body,
            "served": served_token(client),
        },
    )


@override_settings(
    COMMENTS_HOLD_FIRST_TIME_ANONYMOUS=False,
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
)
@pytest.mark.parametrize(
    "breaks_at",
    [("insert", '"comments_comment"'), ("insert", '"comments_moderationevent"')],
    ids=["at-the-comment", "after-the-comment-before-its-log"],
)
def test_comment_interrupted_answers_503_and_leaves_no_comment_nor_email(client, breaks_at):
    from django_tasks_db.models import DBTaskResult

    from comments.models import Comment, ModerationEvent

    poll = make_poll()
    failure = FailOn(*breaks_at)
    with connection.execute_wrapper(failure):
        response = post_comment(client, poll, "Lost in the outage?")
    assert failure.tripped == 1
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert Comment.objects.count() == 0
    assert ModerationEvent.objects.count() == 0
    assert DBTaskResult.objects.count() == 0  # no notification about a comment that isn't

    # The database is back: sending it again stores it once, with its notification.
    assert post_comment(client, poll, "Lost in the outage?").status_code == 302
    assert Comment.objects.filter(body="Lost in the outage?").count() == 1
    assert DBTaskResult.objects.count() == 1


def fails_after_the_view(get_response):
    """Stands for middleware that writes after the view (a session save, say) and loses
    the database there."""

    def middleware(request):
        get_response(request)
        raise OperationalError("connection lost after the view")

    return middleware


def test_database_failing_in_middleware_after_the_view_still_gives_the_503_page(settings):
    from django.test import Client

    ours = settings.MIDDLEWARE.index("socialpoll.middleware.DatabaseUnavailableMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: ours + 1],
        f"{__name__}.fails_after_the_view",
        *settings.MIDDLEWARE[ours + 1 :],
    ]
    response = Client(raise_request_exception=False).get("/health/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Back in a moment" in response.content.decode()
