import importlib

import pytest


@pytest.fixture
def trainers_group(transactional_db):
    """The Trainers group a data migration creates, back after an earlier transactional
    test's flush took it (flush re-creates permissions, not data-migration rows)."""
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("polls.migrations.0002_trainers_group")
    group, _ = Group.objects.get_or_create(name="Trainers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="polls", codename__in=migration.TRAINER_PERMISSIONS
        )
    )
    return group
