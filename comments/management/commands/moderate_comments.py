from django.core.management.base import BaseCommand, CommandError

from comments import moderation
from comments.models import Comment


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
            pending = Comment.objects.pending().select_related("poll").order_by("created_at")
            for comment in pending:
                reasons = "; ".join(comment.held_reasons) or "-"
                self.stdout.write(
                    f"{comment.pk}\t{comment.poll.slug}\t{comment.name}\t{reasons}\t"
                    f"{comment.excerpt}"
                )
            self.stdout.write(f"{pending.count()} pending.")
            return
        for ids, action, verb in actions:
            for pk in ids:
                comment = Comment.objects.filter(pk=pk).first()
                if comment is None:
                    raise CommandError(f"No comment with id {pk}.")
                action(comment=comment)
                self.stdout.write(f"Comment {pk} {verb}.")
