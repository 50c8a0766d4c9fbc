"""The moderation queue: pending comments first, their reasons, bulk actions through the
moderation services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.text import Truncator

from comments import moderation, promotion
from comments.models import Comment, CommentReport, ModerationEvent, Promotion
from core.forms import LOADED_VALUES, EditedFieldsForm


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


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    verbose_name_plural = "moderation log"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CommentReportInline(admin.TabularInline):
    """What readers said when they reported the comment: read-only, newest first."""

    model = CommentReport
    extra = 0
    can_delete = False
    fields = ["created_at", "reason", "counted", "network", "reviewed_at"]
    readonly_fields = fields
    verbose_name_plural = "readers' reports"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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
    list_display = [
        "excerpt_text",
        "name",
        "poll",
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
    actions = ["approve_selected", "mark_spam_selected", "remove_selected", "add_as_choices"]
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
        return Truncator(obj.body).chars(80)

    @admin.display(description="reasons")
    def reasons(self, obj: Comment) -> str:
        return "; ".join(obj.held_reasons or []) or "—"

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
