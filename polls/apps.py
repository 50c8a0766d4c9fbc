from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What a member of the "Trainers" group may do (their own polls only: checked in views).
TRAINER_PERMISSIONS = (
    "add_poll",
    "change_poll",
    "view_poll",
    "add_choice",
    "change_choice",
    "delete_choice",
    "view_choice",
)


def ensure_trainers_group(sender, using="default", apps=None, **kwargs) -> None:
    """Keep the "Trainers" group present after migrate *and* after flush.

    Migration 0002 creates the group; a flush (``manage.py flush``, or every transactional
    test) empties the tables and re-sends post_migrate, which rebuilds content types and
    permissions but not data-migration rows. This handler puts the group back the same way.
    """
    if apps is None:
        from django.apps import apps
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:  # auth not migrated yet in this run
        return
    group, _ = Group.objects.using(using).get_or_create(name="Trainers")
    group.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="polls", codename__in=TRAINER_PERMISSIONS
        )
    )


class PollsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "polls"
    verbose_name = "Polls"

    def ready(self) -> None:
        post_migrate.connect(ensure_trainers_group, sender=self)
        from polls import checks  # noqa: F401  (registers the settings' system checks)
