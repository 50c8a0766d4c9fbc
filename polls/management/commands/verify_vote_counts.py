from django.core.management.base import BaseCommand, CommandError

from polls.results import results_verify


class Command(BaseCommand):
    help = (
        "Check that the vote counts readers are shown equal the ballots; --repair makes the "
        "next reader get a fresh count."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repair", action="store_true", help="Drop any count that drifted.")

    def handle(self, *args, repair: bool = False, **options) -> None:
        drifts = results_verify(repair=repair)
        for drift in drifts:
            self.stdout.write(
                f"{drift.poll.slug}: shown {drift.shown.total} votes {drift.shown.counts()}, "
                f"ballots {drift.counted.total} votes {drift.counted.counts()}"
            )
        if not drifts:
            self.stdout.write("All vote counts shown equal the ballots.")
        elif repair:
            self.stdout.write(f"Repaired {len(drifts)} poll(s): the next reader gets a recount.")
        else:
            raise CommandError(f"{len(drifts)} poll(s) differ; run with --repair to fix them.")
