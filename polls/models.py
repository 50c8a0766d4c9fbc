from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from core.text import single_line
from polls.joincodes import MAX_LENGTH as JOIN_CODE_MAX_LENGTH
from polls.joincodes import join_code_random
from polls.markup import render_markdown

# An intro longer than this (in Markdown source) fills most of a phone's first screen and
# pushes the vote below it, so on a phone it folds behind "Read the intro", after the vote.
INTRO_FOLD_CHARS = 280


class PollQuerySet(models.QuerySet):
    def published(self) -> "PollQuerySet":
        return self.filter(status=Poll.Status.PUBLISHED)

    def listed(self) -> "PollQuerySet":
        """Polls the home page shows: published, newest first."""
        return self.published().select_related("author").order_by("-published_at", "-pk")

    def open_first(self) -> "PollQuerySet":
        """Polls still taking votes (or about to) first, then the closed ones; newest first
        within each (the home page's order)."""
        closed = Q(closes_at__isnull=False, closes_at__lte=timezone.now())
        return self.annotate(
            is_closed=Case(When(closed, then=Value(1)), default=Value(0))
        ).order_by("is_closed", "-published_at", "-pk")

    def drafts_of(self, user) -> "PollQuerySet":
        """A trainer's drafts, the one they touched last first."""
        return (
            self.authored_by(user)
            .exclude(status=Poll.Status.PUBLISHED)
            .order_by("-updated_at", "-pk")
        )

    def authored_by(self, user) -> "PollQuerySet":
        return self.filter(author=user)

    def with_ballot_totals(self) -> "PollQuerySet":
        """Each poll with ``ballot_total``: how many voters have voted in its current round
        (from the ballots), the total its results show."""
        return self.annotate(
            ballot_total=Count("ballots", filter=Q(ballots__round=models.F("current_round")))
        )


class Poll(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Voters(models.TextChoices):
        ANYONE = "anyone", "Anyone"
        USERS = "users", "Signed-in users only"

    class ResultsVisibility(models.TextChoices):
        ALWAYS = "always", "Always"
        AFTER_VOTE = "after_vote", "After voting"
        AFTER_CLOSE = "after_close", "After the poll closes"
        AUTHOR = "author", "Trainer only"

    question = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The poll's address: /polls/<slug>/"
    )
    intro = models.TextField(
        blank=True,
        max_length=10000,
        help_text="Shown above the vote. Markdown: paragraphs, lists, *emphasis*, links.",
    )
    intro_html = models.TextField(blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="polls"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to open as soon as it is published."
    )
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to keep it open."
    )
    multiple = models.BooleanField(
        "multiple choice", default=False, help_text="Voters may tick more than one choice."
    )
    max_choices = models.PositiveSmallIntegerField(
        "maximum choices per voter",
        default=1,
        help_text="With multiple choice: how many choices a voter may tick at most.",
    )
    who_can_vote = models.CharField(
        "who may vote", max_length=10, choices=Voters.choices, default=Voters.ANYONE
    )
    results_visibility = models.CharField(
        "results are visible",
        max_length=12,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_VOTE,
    )
    results_hidden = models.BooleanField(
        "results hidden by the trainer",
        default=False,
        help_text="While ticked, only the trainer and staff see the counts, whatever the "
        "rule above says (the presenter view's Show results / Hide results).",
    )
    allow_vote_change = models.BooleanField(
        "voters may change their vote", default=False, help_text="While the poll is open."
    )
    notify_pending = models.BooleanField(
        "email me when a comment awaits review",
        default=False,
        help_text="The trainer gets an email for each new comment held for review.",
    )
    write_in = models.BooleanField(
        "let voters propose their own definition",
        default=False,
        help_text="Adds one “something else” choice: voting for it asks for the voter's "
        "definition, posted to the discussion as an alternative definition.",
    )
    write_in_needs_definition = models.BooleanField(
        "a vote for “something else” needs the voter's definition",
        default=False,
        help_text="The vote counts once the voter has posted their definition.",
    )
    current_round = models.PositiveSmallIntegerField(
        "round",
        default=1,
        editable=False,
        help_text="Votes go to this round; earlier rounds are kept as they were (Vote again).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    join_code = models.CharField(
        max_length=JOIN_CODE_MAX_LENGTH,
        unique=True,
        default=join_code_random,
        editable=False,
        help_text="The short code a room types to open the poll: /j/<code>.",
    )

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="poll_listed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_choices__gte=1),
                name="poll_max_choices_positive",
                violation_error_message="A voter must be able to tick at least one choice.",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="poll_closes_after_opening",
                violation_error_message="The poll must close after it opens.",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs) -> None:
        # A derived rendering, not a business rule: the sanitised HTML of the intro, redone
        # only when the intro may have changed (not on a save of the status alone, say).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "intro" in update_fields:
            self.intro_html = render_markdown(self.intro)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "intro_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("polls:detail", kwargs={"slug": self.slug})

    def get_join_url(self) -> str:
        return reverse("polls:join", kwargs={"code": self.join_code})

    @property
    def intro_safe(self) -> SafeString:
        return mark_safe(self.intro_html)  # noqa: S308 - sanitised by nh3 in render_markdown

    @property
    def intro_is_long(self) -> bool:
        """Long enough to fold behind "Read the intro" on a phone, below the vote."""
        return len(self.intro) > INTRO_FOLD_CHARS

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def has_opened(self) -> bool:
        return self.opens_at is None or self.opens_at <= timezone.now()

    @property
    def has_closed(self) -> bool:
        return self.closes_at is not None and self.closes_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.is_published and self.has_opened and not self.has_closed

    @property
    def is_scheduled(self) -> bool:
        return self.is_published and not self.has_opened

    @property
    def choice_limit(self) -> int:
        return self.max_choices if self.multiple else 1

    @property
    def state(self) -> str:
        """One word for lists and badges: draft, scheduled, open or closed."""
        return self.state_of(self.status, self.opens_at, self.closes_at)

    @classmethod
    def state_of(cls, status: str, opens_at, closes_at) -> str:
        """The state a poll with these values is in now (for callers without an instance)."""
        if status != cls.Status.PUBLISHED:
            return "draft"
        now = timezone.now()
        if closes_at is not None and closes_at <= now:
            return "closed"
        if opens_at is not None and opens_at > now:
            return "scheduled"
        return "open"

    def is_managed_by(self, user) -> bool:
        """The poll's author, or staff with the change permission, may manage it."""
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        if user.pk == self.author_id:
            return user.has_perm("polls.change_poll")
        return user.is_staff and user.has_perm("polls.change_poll")

    def results_always_visible_to(self, user) -> bool:
        """The trainer who manages the poll and staff see results whatever the rule says."""
        return user.is_authenticated and (user.is_staff or self.is_managed_by(user))

    def results_visible_to(self, user, *, has_voted: bool) -> bool:
        """Whether this reader may see the results now: the trainer and staff always; anyone
        else only while the trainer has not hidden them *and* the poll's rule allows it.

        The one place this is decided (pages, fragments, the presenter, embeds, the CSV)."""
        if self.results_always_visible_to(user):
            return True
        if self.results_hidden:
            return False
        rule = self.results_visibility
        if rule == self.ResultsVisibility.ALWAYS:
            return True
        if rule == self.ResultsVisibility.AFTER_VOTE:
            return has_voted or self.has_closed
        if rule == self.ResultsVisibility.AFTER_CLOSE:
            return self.has_closed
        return False


class Choice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300, validators=[single_line])
    position = models.PositiveSmallIntegerField(default=0)
    # The poll's one "something else" choice (Poll.write_in): kept by polls/editing.py.
    is_write_in = models.BooleanField("something else", default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["poll", "position"], name="choice_poll_position_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["poll"], condition=Q(is_write_in=True), name="choice_one_write_in"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Ballot(models.Model):
    """One voter's ballot in one round of a poll; the database allows only one per (poll,
    voter, round)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(
        max_length=64, help_text="'user:<id>' for accounts, 'anon:<random id>' for cookies."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ballots",
    )
    choices = models.ManyToManyField(Choice, related_name="ballots")
    round = models.PositiveSmallIntegerField(
        default=1, help_text="The poll's round this ballot was cast in (1 unless voted again)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key", "round"], name="ballot_one_per_voter"
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk} in {self.poll_id}"

    @cached_property
    def choice_ids(self) -> set[int]:
        return {choice.pk for choice in self.choices.all()}


class VoteChange(models.Model):
    """A voter changing their ballot within a round: from which choices to which, when.

    Written by polls/voting.py in the transaction of the change itself; the choice ids are
    kept as lists (a multiple-choice ballot changes from one set to another), sorted.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="vote_changes")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="changes")
    round = models.PositiveSmallIntegerField(default=1)
    from_ids = models.JSONField("from choices", default=list)
    to_ids = models.JSONField("to choices", default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["poll", "round"], name="votechange_poll_round_idx")]

    def __str__(self) -> str:
        return f"{self.from_ids} → {self.to_ids}"
