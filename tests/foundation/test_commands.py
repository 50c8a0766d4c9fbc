import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_user


def test_make_trainer_gives_the_user_poll_permissions(db):
    user = make_user("alice")
    assert not user.has_perm("polls.add_poll")
    call_command("make_trainer", "alice")
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("polls.add_poll")
    assert user.groups.filter(name="Trainers").exists()


def test_make_trainer_for_an_unknown_user_says_so(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("make_trainer", "nobody")
