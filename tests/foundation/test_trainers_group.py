import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


def trainer_permissions() -> set[str]:
    group = Group.objects.get(name="Trainers")
    return set(group.permissions.values_list("codename", flat=True))


def test_migrations_create_the_trainers_group_with_poll_permissions(db):
    assert {"add_poll", "change_poll", "view_poll"} <= trainer_permissions()
    assert "delete_poll" not in trainer_permissions()


@pytest.mark.django_db(transaction=True)
def test_trainers_group_survives_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert {"add_poll", "change_poll", "view_poll"} <= trainer_permissions()
