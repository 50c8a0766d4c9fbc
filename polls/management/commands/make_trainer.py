from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Add an existing user to the Trainers group, so they can write and manage polls."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                f"No user {username!r}. Create one first: manage.py createsuperuser "
                "or the admin's Users page."
            ) from None
        user.groups.add(Group.objects.get(name="Trainers"))
        self.stdout.write(f"{username} is now a trainer.")
