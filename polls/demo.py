"""Demo content for `make run`: a social-learning definition poll, its trainer and votes."""

import contextlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from polls.models import Choice, Poll
from polls.voters import Voter
from polls.voting import ballot_cast

DEMO_SLUG = "how-would-you-define-social-learning"
TRAINER_USERNAME = "trainer"
TRAINER_PASSWORD = "socialpoll-demo"  # noqa: S105 - a documented local demo account
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "socialpoll-admin"  # noqa: S105 - a documented local demo account

_INTRO_WRAPPED = """\
I have been reading about social media in training, and one thing keeps tripping me up:
people use **social learning** to mean quite different things.

For some it is simply *learning with and from other people*, something that happens in
every good workshop whether or not a screen is involved. For others it means a delivery
channel: discussion forums, chat groups and posts on social networks built into a course.

If we want organisations to invest in it, we should at least agree on what we are selling.
So: if I said your next programme would include social learning, what would you expect?

Think it is something else altogether? Vote for the last option and tell us in the comments.
"""
# The intro is Markdown with nl2br, so each paragraph goes in as one line; wrapped lines
# in the source would show as line breaks.
INTRO = "\n\n".join(" ".join(part.split()) for part in _INTRO_WRAPPED.strip().split("\n\n"))

CHOICES = [
    "Learning with and from other people, online or in the room",
    "Using social media tools (forums, chat, networks) as part of a course",
    "Informal learning that happens on the job, outside any course",
    "Something else — tell us in the comments",
]

# Demo ballots by choice index, from distinct (made-up) anonymous voters.
DEMO_VOTES = [0] * 9 + [1] * 5 + [2] * 3 + [3] * 2


def load_demo() -> Poll:
    """Create the demo trainer, admin, poll and votes; running it again changes nothing."""
    User = get_user_model()
    with transaction.atomic():
        trainers = Group.objects.get(name="Trainers")
        trainer, created = User.objects.get_or_create(
            username=TRAINER_USERNAME,
            defaults={"first_name": "Morgan", "last_name": "Reyes", "email": "trainer@example.com"},
        )
        if created:
            trainer.set_password(TRAINER_PASSWORD)
            trainer.save()
        trainer.groups.add(trainers)
        admin, created = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(ADMIN_PASSWORD)
            admin.save()

        poll, created = Poll.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                "question": "How would you define social learning?",
                "intro": INTRO,
                "author": trainer,
                "status": Poll.Status.PUBLISHED,
                # Published a few days ago, so the demo discussion has had time to grow.
                "published_at": timezone.now() - timedelta(days=4),
                "results_visibility": Poll.ResultsVisibility.AFTER_VOTE,
            },
        )
        if created:
            Choice.objects.bulk_create(
                Choice(poll=poll, text=text, position=index) for index, text in enumerate(CHOICES)
            )
    choices = list(poll.choices.order_by("position", "pk"))
    for number, choice_index in enumerate(DEMO_VOTES):
        voter = Voter(key=f"anon:demo-voter-{number}", anonymous_id=f"demo-voter-{number}")
        with contextlib.suppress(ValidationError):  # this demo voter has voted already
            ballot_cast(poll=poll, voter=voter, choice_ids=[choices[choice_index].pk])
    return poll
