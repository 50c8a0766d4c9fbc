from django.core.management.base import BaseCommand, CommandError

from polls.services import counters_verify


class Command(BaseCommand):
    help = "Check that stored vote totals equal the ballots; --repair makes them equal."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repair", action="store_true", help="Fix any counter that drifted.")

    def handle(self, *args, repair: bool = False, **options) -> None:
        drifts = counters_verify(repair=repair)
        for drift in drifts:
            where = f"choice {drift.choice.pk}" if drift.choice else "total"
            self.stdout.write(
                f"{drift.poll.slug} {where}: stored {drift.stored}, ballots {drift.actual}"
            )
        if not drifts:
            self.stdout.write("All vote counters equal the ballots.")
        elif repair:
            self.stdout.write(f"Repaired {len(drifts)} counter(s).")
        else:
            raise CommandError(f"{len(drifts)} counter(s) differ; run with --repair to fix them.")
