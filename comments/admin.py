"""The moderation queue: pending comments first, their reasons, bulk actions through the
moderation services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.text import Truncator

from comments import moderation, promotion
from comments.models import Comment, CommentReport, ModerationEvent, Promotion
from core.forms import LOADED_VALUES, EditedFieldsForm

# The change page's buttons: what each does, and what the message says it did.
MODERATE = {
    "approve": (moderation.comment_approve, "approved"),
    "spam": (moderation.comment_mark_spam, "marked as spam"),
    "remove": (moderation.comment_remove, "removed"),
}


def _truncated(text: str, length: int) -> str:
    """Short enough for the list's column; the whole text in the cell's title (a template,
    the one source of HTML)."""
    short = Truncator(text).chars(length)
    if short == text:
        return text
    return render_to_string("admin/comments/_truncated.html", {"short": short, "full": text})


class StatusQueueFilter(admin.SimpleListFilter):
    """Status, defaulting to the pending queue so that is the first thing a moderator sees."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, (self.ALL, "All")]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if value in Comment.Status.values:
            return queryset.filter(status=value)
        return queryset.filter(status=Comment.Status.PENDING)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class _RecordInline(admin.TabularInline):
    """A record kept about the comment: shown, never added, edited or deleted here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ModerationEventInline(_RecordInline):
    model = ModerationEvent
    fields = ["created_at", "actor", "from_status", "to_status", "note"]
    verbose_name_plural = "moderation log"


class CommentReportInline(_RecordInline):
    """What readers said when they reported the comment: read-only, newest first."""

    model = CommentReport
    fields = ["created_at", "reason", "counted", "network", "reviewed_at"]
    verbose_name_plural = "readers' reports"


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    """Every report with the reason its reader typed; the comment is one click away."""

    list_display = ["created_at", "reason_text", "comment_excerpt", "counted", "reviewed_at"]
    list_filter = ["counted", ("reviewed_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["reason", "comment__body", "comment__name", "comment__poll__question"]
    list_select_related = ["comment"]
    ordering = ["-created_at", "-pk"]
    fields = ["comment", "reason", "created_at", "counted", "network", "reviewed_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # readers' words, kept as they wrote them; act on the comment instead

    @admin.display(description="reason given")
    def reason_text(self, obj: CommentReport) -> str:
        return obj.reason or "—"

    @admin.display(description="comment")
    def comment_excerpt(self, obj: CommentReport) -> str:
        return Truncator(obj.comment.body).chars(60)  # the report's page links to it


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = EditedFieldsForm
    # Short columns, each cut with the whole text in its title, so the list fits 1280 px;
    # on a phone each row is a card (static/comments/admin.css), never a sideways scroll.
    list_display = [
        "excerpt_text",
        "name_text",
        "poll_text",
        "status",
        "reasons",
        "report_count",
        "created_at",
    ]
    list_display_links = ["excerpt_text"]
    list_filter = [StatusQueueFilter, "is_alternative", "created_at"]
    search_fields = ["name", "email", "body", "poll__question"]
    list_select_related = ["poll"]
    ordering = ["-created_at", "-pk"]
    actions = [
        "approve_selected",
        "mark_spam_selected",
        "remove_selected",
        "hide_latest_post_selected",
        "add_as_choices",
    ]
    fields = [
        "poll",
        "parent",
        "status",
        "reasons",
        "name",
        "email",
        "website",
        "user",
        "body",
        "notify",
        "show_latest_post",
        "latest_post_title",
        "latest_post_url",
        "latest_post_hidden",
        "ip_address",
        "user_agent",
        "created_at",
        LOADED_VALUES,
    ]
    readonly_fields = [
        "poll",
        "parent",
        "status",
        "reasons",
        "user",
        "show_latest_post",
        "latest_post_title",
        "latest_post_url",
        "ip_address",
        "user_agent",
        "created_at",
    ]
    inlines = [CommentReportInline, ModerationEventInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_reports=Count("reports"))

    def has_add_permission(self, request) -> bool:
        return False  # comments are posted on the site, through the policy

    @admin.display(description="comment")
    def excerpt_text(self, obj: Comment) -> str:
        return _truncated(obj.body, 60)

    @admin.display(description="name", ordering="name")
    def name_text(self, obj: Comment) -> str:
        return _truncated(obj.name, 24)

    @admin.display(description="poll", ordering="poll__question")
    def poll_text(self, obj: Comment) -> str:
        return _truncated(obj.poll.question, 32)

    @admin.display(description="reasons")
    def reasons(self, obj: Comment) -> str:
        return _truncated("; ".join(obj.held_reasons or []) or "—", 40)

    def get_urls(self):
        moderate = self.admin_site.admin_view(self.moderate_view)
        return [
            path("<int:pk>/moderate/", moderate, name="comments_comment_moderate"),
            *super().get_urls(),
        ]

    def moderate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The change page's Approve / Spam / Remove: the moderation services, then the
        queue again, where the next comment waits."""
        return _moderate(self, request, pk)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "moderate_actions": MODERATE}
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description="reports", ordering="_reports")
    def report_count(self, obj: Comment) -> int:
        return getattr(obj, "_reports", 0)

    def _each(self, request, queryset, action, verb: str) -> None:
        count = 0
        for comment in queryset:
            action(comment=comment, actor=request.user)
            count += 1
        self.message_user(request, f"{count} comment{'s' if count != 1 else ''} {verb}.")

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request, queryset) -> None:
        self._each(request, queryset, moderation.comment_approve, "approved")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam_selected(self, request, queryset) -> None:
        self._each(request, queryset, moderation.comment_mark_spam, "marked as spam")

    @admin.action(description="Remove selected comments (replies stay)", permissions=["change"])
    def remove_selected(self, request, queryset) -> None:
        self._each(request, queryset, moderation.comment_remove, "removed")

    @admin.action(
        description="Hide the “recently posted” link of selected comments", permissions=["change"]
    )
    def hide_latest_post_selected(self, request, queryset) -> None:
        self._each(request, queryset, moderation.comment_latest_post_hide, "had their link hidden")

    @admin.action(description="Add selected alternative definitions as choices")
    def add_as_choices(self, request, queryset) -> None:
        added = 0
        for comment in queryset.select_related("poll"):
            try:
                promotion.alternative_promote(comment=comment, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{comment.excerpt}: {error.messages[0]}", "warning")
            else:
                added += 1
        self.message_user(request, f"{added} definition{'s' if added != 1 else ''} added.")

    def save_model(self, request, obj: Comment, form, change: bool) -> None:
        # Only what the moderator edited: a hold or an unsubscribe made while the form was
        # open stays as it is.
        changes = {name: form.cleaned_data[name] for name in form.edited_fields()}
        saved = moderation.comment_edit(comment=obj, changes=changes, actor=request.user)
        obj.body_html = saved.body_html  # the admin's message quotes it

    # Deleting never cascades through replies: one that has replies becomes a tombstone.
    def delete_model(self, request, obj: Comment) -> None:
        if not moderation.comment_delete(comment=obj, actor=request.user):
            messages.info(request, "It has replies, so it was removed and they stay in place.")

    def delete_queryset(self, request, queryset) -> None:
        _deleted, kept = moderation.comment_delete_many(comments=list(queryset), actor=request.user)
        if kept:
            messages.info(
                request,
                f"{kept} comment{'s' if kept != 1 else ''} with replies were removed instead, "
                "so the replies stay in place.",
            )

    def get_deleted_objects(self, objs, request):
        # The stock confirmation would list replies as "protected" and refuse; ours keeps them.
        objs = list(objs)
        perms_needed = set() if self.has_delete_permission(request) else {"comment"}
        summary = [str(obj) for obj in objs]
        return summary, {"comments": len(objs)}, perms_needed, []


def _moderate(model_admin: CommentAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    comment = get_object_or_404(Comment, pk=pk)
    if not model_admin.has_change_permission(request, comment):
        raise PermissionDenied
    action, done = MODERATE.get(request.POST.get("moderate", ""), (None, ""))
    if action is None:
        messages.error(request, "Choose Approve, Spam or Remove.")
        return redirect("admin:comments_comment_change", comment.pk)
    action(comment=comment, actor=request.user)
    messages.success(request, f"The comment by {comment.name} is {done}.")
    return redirect(reverse("admin:comments_comment_changelist"))


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    """The record of alternative definitions added to polls (read-only: the page, the
    comment admin's action and ``promote_alternative`` write it)."""

    list_display = ["choice_text", "suggested_by", "poll", "promoted_by", "created_at", "undone_at"]
    list_filter = ["created_at"]
    search_fields = ["choice_text", "suggested_by", "poll__question"]
    list_select_related = ["poll", "promoted_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
