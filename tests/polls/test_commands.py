import pytest
from django.core.management import CommandError, call_command

from polls.models import Choice, Poll
from tests.factories import make_ballots, make_poll
from tests.polls.conftest import counts

pytestmark = pytest.mark.django_db


def test_verify_vote_counts_says_all_is_well(capsys):
    make_ballots(make_poll(), 5)
    call_command("verify_vote_counts")
    assert "All vote counters equal the ballots." in capsys.readouterr().out


def test_verify_vote_counts_fails_on_drift_and_repair_fixes_it(capsys):
    poll = make_poll()
    make_ballots(poll, 5)
    Poll.objects.filter(pk=poll.pk).update(ballot_count=2)
    Choice.objects.filter(pk=poll.choices.last().pk).update(votes=9)
    with pytest.raises(CommandError, match="2 counter"):
        call_command("verify_vote_counts")
    out = capsys.readouterr().out
    assert f"{poll.slug} total: stored 2, ballots 5" in out
    call_command("verify_vote_counts", repair=True)
    assert "Repaired 2 counter(s)." in capsys.readouterr().out
    assert counts(poll) == (5, 5, [5, 0, 0])
    call_command("verify_vote_counts")
