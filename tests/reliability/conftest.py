import pytest


@pytest.fixture
def trainers_group(transactional_db):
    """The Trainers group: made by a data migration, and re-made after every flush."""
    from django.contrib.auth.models import Group

    return Group.objects.get(name="Trainers")
