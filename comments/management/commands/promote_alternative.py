from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from comments.models import Comment
from comments.promotion import alternative_promote, live_promotion, promotion_undo


class Command(BaseCommand):
    help = (
        "Add an alternative definition (a comment) to its poll as a choice, or take it back "
        "out with --undo (while the choice has no votes). Recorded as done by --by."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("comment", type=int, help="The comment's id (as in #comment-<id>).")
        parser.add_argument(
            "--by", required=True, help="Username of the poll's trainer (or staff) doing it."
        )
        parser.add_argument("--undo", action="store_true", help="Take the choice back out.")

    def handle(self, *args, comment: int, by: str, undo: bool = False, **options) -> None:
        actor = get_user_model().objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"No user {by!r}.")
        found = Comment.objects.select_related("poll").filter(pk=comment).first()
        if found is None:
            raise CommandError(f"No comment {comment}.")
        try:
            if undo:
                live = live_promotion(comment=found)
                if live is None:
                    raise CommandError("This comment is not a choice of its poll.")
                promotion_undo(promotion=live, actor=actor)
                self.stdout.write(f"Taken out of the poll: {live.choice_text}")
            else:
                done = alternative_promote(comment=found, actor=actor)
                self.stdout.write(f"Added to {found.poll.slug}: {done.choice_text}")
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
