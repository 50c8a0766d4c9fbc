"""Create the "Trainers" group with the poll permissions (superusers pass anyway)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRAINER_PERMISSIONS = [
    "add_poll",
    "change_poll",
    "view_poll",
    "add_choice",
    "change_choice",
    "delete_choice",
    "view_choice",
]


def create_trainers_group(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Trainers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="polls", codename__in=TRAINER_PERMISSIONS
        )
    )


def remove_trainers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Trainers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_trainers_group, remove_trainers_group)]
