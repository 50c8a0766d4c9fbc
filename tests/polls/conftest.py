import pytest

from polls.models import Ballot, Poll
from polls.results import poll_results
from tests.factories import make_poll


@pytest.fixture
def poll(db) -> Poll:
    return make_poll(choices=("Learning with others", "Social media in a course", "On the job"))


def vote_url(poll: Poll) -> str:
    return f"/polls/{poll.slug}/vote/"


def choice_ids(poll: Poll) -> list[int]:
    return list(poll.choices.values_list("pk", flat=True))


def counts(poll: Poll) -> tuple[int, int, list[int]]:
    """(ballots in the table, the total readers are shown, each choice's votes shown)."""
    poll.refresh_from_db()
    results = poll_results(poll)
    return (
        Ballot.objects.filter(poll=poll).count(),
        results.total,
        [row.votes for row in results.rows],
    )
