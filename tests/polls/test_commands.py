import pytest
from django.core.management import CommandError, call_command

from polls.models import Ballot
from polls.results import poll_results
from tests.factories import make_ballots, make_poll
from tests.polls.conftest import counts

pytestmark = pytest.mark.django_db


def test_verify_vote_counts_says_all_is_well(capsys):
    poll = make_poll()
    make_ballots(poll, 5)
    poll_results(poll)  # what readers are shown, cached
    call_command("verify_vote_counts")
    assert "All vote counts shown equal the ballots." in capsys.readouterr().out


def test_verify_vote_counts_fails_on_drift_and_repair_fixes_it(capsys):
    poll = make_poll()
    make_ballots(poll, 5)
    poll_results(poll)  # readers are shown 5 votes
    # Two ballots stored while the cache missed the version change (Redis unreachable).
    for key in ("anon:missed-1", "anon:missed-2"):
        Ballot.objects.create(poll=poll, voter_key=key).choices.add(poll.choices.last())
    with pytest.raises(CommandError, match="1 poll"):
        call_command("verify_vote_counts")
    out = capsys.readouterr().out
    assert f"{poll.slug}: shown 5 votes" in out and "ballots 7 votes" in out
    call_command("verify_vote_counts", repair=True)
    assert "Repaired 1 poll(s)" in capsys.readouterr().out
    assert counts(poll) == (7, 7, [5, 0, 2])
    call_command("verify_vote_counts")
