from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments.demo import load_demo_comments
from polls.demo import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    TRAINER_PASSWORD,
    TRAINER_USERNAME,
    load_demo,
)
from polls.models import Ballot


class Command(BaseCommand):
    help = "Load the demo poll, its trainer, votes and discussion (idempotent: safe to run again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (creates accounts with published passwords).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo accounts with known passwords while DEBUG is off; "
                "pass --force if you really want them."
            )
        poll = load_demo()
        added = load_demo_comments(poll)
        votes = Ballot.objects.filter(poll=poll).count()
        self.stdout.write(
            f"Demo ready: {poll.get_absolute_url()} ({votes} votes, {added} new comments).\n"
            f"Log in as the trainer (user {TRAINER_USERNAME}, password {TRAINER_PASSWORD}) "
            f"or the admin (user {ADMIN_USERNAME}, password {ADMIN_PASSWORD})."
        )
