from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from polls import services
from polls.models import Ballot, Choice, Poll


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """The same rule as the trainer's form: choices that hold votes keep their words."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None or any(self.errors):
            return
        rows = []
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            deleted = self.can_delete and self._should_delete_form(form)
            text = "" if deleted else (form.cleaned_data.get("text") or "")
            rows.append(services.ChoiceInput(id=form.instance.pk, text=text))
        try:
            services.choices_validate(
                poll=Poll.objects.get(pk=self.instance.pk),  # as stored, before this edit
                choices=rows,
                multiple=self.instance.multiple,
                max_choices=self.instance.max_choices,
                publishing=self.instance.is_published,
            )
        except ValidationError as error:
            raise ValidationError(
                [message for messages in error.message_dict.values() for message in messages]
            ) from None


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    fields = ("text", "position", "votes")
    readonly_fields = ("votes",)
    extra = 1
    ordering = ("position", "pk")


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("scheduled", "Scheduled"),
            ("open", "Open"),
            ("closed", "Closed"),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        published = queryset.filter(status=Poll.Status.PUBLISHED)
        closed = Q(closes_at__isnull=False, closes_at__lte=now)
        opened = Q(opens_at__isnull=True) | Q(opens_at__lte=now)
        match self.value():
            case "draft":
                return queryset.filter(status=Poll.Status.DRAFT)
            case "scheduled":
                return published.exclude(opened).exclude(closed)
            case "open":
                return published.filter(opened).exclude(closed)
            case "closed":
                return published.filter(closed)
        return queryset


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("question", "author", "state_label", "ballot_count", "published_at")
    list_filter = (
        StateFilter,
        "status",
        "multiple",
        "who_can_vote",
        "results_visibility",
        ("author", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("question", "slug", "intro", "author__username", "choices__text")
    list_select_related = ("author",)
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("question",)}
    readonly_fields = ("ballot_count", "published_at", "created_at", "updated_at")
    autocomplete_fields = ("author",)
    inlines = (ChoiceInline,)
    actions = ("open_polls", "close_polls")
    fieldsets = (
        (None, {"fields": ("question", "slug", "intro", "author", "status")}),
        (
            "Voting",
            {
                "fields": (
                    "multiple",
                    "max_choices",
                    "who_can_vote",
                    "results_visibility",
                    "allow_vote_change",
                )
            },
        ),
        ("Schedule", {"fields": ("opens_at", "closes_at")}),
        ("Totals", {"fields": ("ballot_count", "published_at", "created_at", "updated_at")}),
    )

    @admin.display(description="state")
    def state_label(self, poll: Poll) -> str:
        return poll.state.capitalize()

    def save_model(self, request: HttpRequest, obj: Poll, form, change: bool) -> None:
        if obj.is_published and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.results_invalidate(poll=form.instance)  # choices may have changed

    @admin.action(description="Open the selected polls now", permissions=["change"])
    def open_polls(self, request: HttpRequest, queryset: QuerySet) -> None:
        for poll in queryset:
            services.poll_open(poll=poll)
        self.message_user(request, f"Opened {len(queryset)} poll(s).", messages.SUCCESS)

    @admin.action(description="Close the selected polls now", permissions=["change"])
    def close_polls(self, request: HttpRequest, queryset: QuerySet) -> None:
        for poll in queryset:
            services.poll_close(poll=poll)
        self.message_user(request, f"Closed {len(queryset)} poll(s).", messages.SUCCESS)


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    """Ballots are the record of who voted; nobody edits or deletes them by hand."""

    list_display = ("poll", "voter_key", "user", "chosen", "created_at", "updated_at")
    list_filter = (("poll", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("voter_key", "user__username", "poll__question", "poll__slug")
    list_select_related = ("poll", "user")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("choices")

    @admin.display(description="choices")
    def chosen(self, ballot: Ballot) -> str:
        return "; ".join(choice.text for choice in ballot.choices.all())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
