import unicodedata

from django.core.management.base import BaseCommand, CommandError

from comments import moderation
from comments.models import Comment

# Characters a terminal may act on instead of showing: C0/C1 controls (ANSI escapes, bell,
# carriage return, newlines that would forge a queue line), format characters (bidi
# overrides and isolates, zero-width ones) and the Unicode line/paragraph separators.
_UNPRINTABLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}


def terminal_safe(text: str) -> str:
    """The text with every character a terminal could act on written as a Python escape."""
    return "".join(
        ascii(char)[1:-1] if unicodedata.category(char) in _UNPRINTABLE else char
        for char in str(text)
    )


class Command(BaseCommand):
    help = (
        "Work the moderation queue from a shell: list pending comments, or approve, mark as "
        "spam or remove comments by id (the same rules and log as the admin)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--approve", nargs="+", type=int, default=[], metavar="ID")
        parser.add_argument("--spam", nargs="+", type=int, default=[], metavar="ID")
        parser.add_argument("--remove", nargs="+", type=int, default=[], metavar="ID")

    def handle(self, *args, approve, spam, remove, **options) -> None:
        actions = [
            (approve, moderation.comment_approve, "approved"),
            (spam, moderation.comment_mark_spam, "marked as spam"),
            (remove, moderation.comment_remove, "removed"),
        ]
        if not any(ids for ids, _action, _verb in actions):
            pending = (
                Comment.objects.pending()
                .select_related("poll")
                .prefetch_related("reports")
                .order_by("created_at")
            )
            # Names, texts and reasons come from strangers: print them escaped, one line each.
            for comment in pending:
                said = [f"reader: {r.reason}" for r in comment.reports.all() if r.reason]
                fields = [
                    comment.pk,
                    comment.poll.slug,
                    comment.name,
                    "; ".join([*comment.held_reasons, *said]) or "-",
                    comment.excerpt,
                ]
                self.stdout.write("\t".join(terminal_safe(field) for field in fields))
            self.stdout.write(f"{pending.count()} pending.")
            return
        for ids, action, verb in actions:
            for pk in ids:
                comment = Comment.objects.filter(pk=pk).first()
                if comment is None:
                    raise CommandError(f"No comment with id {pk}.")
                action(comment=comment)
                self.stdout.write(f"Comment {pk} {verb}.")
