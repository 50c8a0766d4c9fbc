"""The discussion under a poll: comments in a materialised-path tree, reports, moderation log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from core.text import single_line
from polls.markup import render_markdown
from polls.models import Poll

# Each level of the tree adds one fixed-width segment (the sibling position) to the path,
# so ordering by path gives a whole thread in display order (depth first, oldest first).
PATH_STEP = 6
PATH_MAX_POSITION = 10**PATH_STEP - 1


def path_segment(position: int) -> str:
    return f"{position:0{PATH_STEP}d}"


class CommentQuerySet(models.QuerySet):
    def for_poll(self, poll: Poll) -> "CommentQuerySet":
        return self.filter(poll=poll)

    def visible(self) -> "CommentQuerySet":
        """Comments readers may see in full (approved)."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.PENDING)

    def in_thread_order(self) -> "CommentQuerySet":
        return self.order_by("path")

    def thread_rows(self, poll: Poll) -> "CommentQuerySet":
        """One query for a whole thread in display order, with only what the page shows."""
        return (
            self.filter(poll=poll)
            .only(
                "pk",
                "poll_id",
                "parent_id",
                "path",
                "depth",
                "status",
                "name",
                "website",
                "user_id",
                "author_key",
                "body_html",
                "created_at",
                "stance__text",
                "show_latest_post",
                "latest_post_title",
                "latest_post_url",
                "latest_post_hidden",
                "is_alternative",
            )
            .select_related("stance")
            .order_by("path")
        )

    def stance_counts(self, poll: Poll) -> dict[int, int]:
        """Approved comments of the poll per choice they support (held, spam and removed
        comments never count)."""
        rows = (
            self.filter(poll=poll, status=Comment.Status.APPROVED, stance__isnull=False)
            .values_list("stance_id")
            .annotate(n=models.Count("pk"))
        )
        return dict(rows)

    def by_email(self, email: str) -> "CommentQuerySet":
        return self.filter(email__iexact=email) if email else self.none()


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="comments")
    # RESTRICT: deleting a comment that has replies fails in the database itself, so no code
    # path (admin, shell, bulk delete) can cascade through other people's words; deleting the
    # poll still removes its whole thread (the replies go by the poll's cascade).
    parent = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="children"
    )
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The comment this one answers; differs from the parent at the deepest level.",
    )
    path = models.CharField(max_length=255, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    # The same identity as a voter's ballot ("user:<id>" or "anon:<cookie id>"): lets a
    # commenter see their own comment while it awaits moderation.
    author_key = models.CharField(max_length=64, blank=True, editable=False)
    # The one-time number of the form it was posted with: a form is accepted once, so a
    # retried post finds the comment it already made instead of making a second one.
    form_nonce = models.CharField(max_length=32, null=True, blank=True, editable=False, unique=True)
    name = models.CharField(max_length=80, validators=[single_line])
    email = models.EmailField(blank=True, help_text="Never shown to readers.")
    website = models.URLField(blank=True, max_length=200)
    body = models.TextField("comment")
    body_html = models.TextField(blank=True, editable=False)
    # The definition this comment argues for ("Which definition does your comment support?");
    # a removed choice leaves the comment without one.
    stance = models.ForeignKey(
        "polls.Choice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporting_comments",
        verbose_name="supports",
    )
    notify = models.BooleanField(
        "notify me of replies", default=False, help_text="Email this commenter about replies."
    )
    # Posted from the write-in composer ("Your definition"): shown as "Alternative definition",
    # answered with Agree / Disagree, and the poll's trainer may add it as a choice.
    is_alternative = models.BooleanField("alternative definition", default=False)
    # "Recently posted" (comments/latest_post.py): the commenter asked for it, a task found
    # their site's latest post, and a moderator may hide it without touching the comment.
    show_latest_post = models.BooleanField(
        "latest post asked for",
        default=False,
        help_text="The commenter ticked “Show my latest blog post”.",
    )
    latest_post_title = models.CharField("recently posted", max_length=150, blank=True)
    latest_post_url = models.URLField("recently posted link", max_length=500, blank=True)
    latest_post_hidden = models.BooleanField(
        "hide the recently posted link",
        default=False,
        help_text="Hide the link to the commenter's latest post; the comment stays as it is.",
    )

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    held_reasons = models.JSONField(
        "reasons", default=list, blank=True, help_text="Why the policy held or rejected it."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="First approval (notifications go then)."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "path"], name="comment_unique_path"),
            models.CheckConstraint(condition=~Q(path=""), name="comment_path_not_empty"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="comment_status_created_idx"),
            models.Index(fields=["poll", "status", "-created_at"], name="comment_poll_feed_idx"),
            # "Has this browser had a comment approved?" (the returning-commenter rule).
            models.Index(fields=["author_key", "status"], name="comment_author_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.excerpt}"

    def save(self, *args, **kwargs) -> None:
        # A derived rendering, not a business rule: the sanitised HTML of the body, redone
        # only when the body changed (moderation saves the status alone).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.render_body()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    # The body that body_html was rendered from (None: not rendered in this instance).
    _rendered_from: str | None = None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "body" in field_names and "body_html" in field_names:
            instance._rendered_from = instance.body
        return instance

    def render_body(self) -> str:
        """The body's sanitised HTML, rendered once per version of the body."""
        if self._rendered_from != self.body:
            self.body_html = render_markdown(self.body)
            self._rendered_from = self.body
        return self.body_html

    @property
    def body_safe(self) -> SafeString:
        return mark_safe(self.body_html)  # noqa: S308 - sanitised by nh3 in render_markdown

    @property
    def excerpt(self) -> str:
        return Truncator(strip_tags(self.body_html or self.body)).chars(60)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def latest_post_shown(self) -> bool:
        """Readers see "NAME recently posted: TITLE": asked for, found, not hidden, and only
        under a published comment (never a held, spam or removed one)."""
        return (
            self.status == self.Status.APPROVED
            and self.show_latest_post
            and not self.latest_post_hidden
            and bool(self.latest_post_title and self.latest_post_url)
        )

    @property
    def is_by_poll_author(self) -> bool:
        return self.user_id is not None and self.user_id == self.poll.author_id


class CommentReportQuerySet(models.QuerySet):
    def unreviewed(self) -> "CommentReportQuerySet":
        """Reports no moderator has answered yet by approving the comment."""
        return self.filter(reviewed_at__isnull=True)

    def weight(self) -> int:
        """How many readers these reports stand for: established readers only, one per
        address (comments/moderation.py says why)."""
        return self.filter(counted=True).values("network").distinct().count()


class CommentReport(models.Model):
    """A reader flagging a comment; each reader counts once per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter_key = models.CharField(max_length=64)
    reason = models.CharField("reason given", max_length=500, blank=True)
    network = models.CharField(
        "address",
        max_length=64,
        blank=True,
        help_text="The reporter's IP address (for IPv6 its /64 network): one address counts once.",
    )
    counted = models.BooleanField(
        default=False,
        help_text="From an established reader (an account, or a browser known for a while), "
        "so it counts towards holding the comment.",
    )
    reviewed_at = models.DateTimeField(
        "answered",
        null=True,
        blank=True,
        help_text="A moderator approved the comment after this report: it no longer counts.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="comment_report_once_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}"


class ModerationEvent(models.Model):
    """Who changed a comment's status, when, and from what to what."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moderation_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the policy or readers' reports changed it.",
    )
    from_status = models.CharField(max_length=10, choices=Comment.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Comment.Status.choices)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class Agreement(models.Model):
    """One voter's Agree or Disagree on an alternative definition (one per voter, changeable)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="agreements")
    # The same identity as a ballot ("user:<id>" or "anon:<cookie id>", polls/voters.py).
    voter_key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agrees = models.BooleanField(help_text="True: Agree; False: Disagree.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "voter_key"], name="agreement_one_per_voter")
        ]

    def __str__(self) -> str:
        return f"{'Agree' if self.agrees else 'Disagree'} on comment {self.comment_id}"


class Promotion(models.Model):
    """An alternative definition the trainer added to the poll as a choice: who, when, from
    which comment, and the choice it became (undone while the choice had no votes)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    # SET_NULL: the choice and its votes outlive the comment; the credit then says so.
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="promotions"
    )
    choice = models.OneToOneField(
        "polls.Choice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion",
    )
    choice_text = models.CharField("text added", max_length=300)
    suggested_by = models.CharField("suggested by", max_length=80)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A comment becomes at most one live choice, whoever clicks at the same time.
            models.UniqueConstraint(
                fields=["comment"], condition=Q(undone_at__isnull=True), name="promotion_once"
            )
        ]

    def __str__(self) -> str:
        return f"“{self.choice_text}” suggested by {self.suggested_by}"
