from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.forms import LOADED_VALUES, EditedFieldsForm
from polls import editing, lifecycle
from polls.models import Ballot, Choice, Poll


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """The same rule as the trainer's form: choices that hold votes keep their words."""

    def choice_inputs(self) -> list[editing.ChoiceInput]:
        """The rows as the trainer's form would send them, in the order of their positions."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            deleted = self.can_delete and self._should_delete_form(form)
            text = "" if deleted else (form.cleaned_data.get("text") or "")
            position = form.cleaned_data.get("position") or 0
            rows.append((position, len(rows), editing.ChoiceInput(id=form.instance.pk, text=text)))
        return [row for _, _, row in sorted(rows, key=lambda item: item[:2])]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            editing.choices_validate(
                poll=Poll.objects.filter(pk=self.instance.pk).first(),  # as stored, if it is
                choices=self.choice_inputs(),
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
    fields = ("text", "position", "vote_count")
    readonly_fields = ("vote_count",)
    extra = 1
    ordering = ("position", "pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(n_votes=Count("ballots"))

    @admin.display(description="votes")
    def vote_count(self, choice: Choice) -> int | str:
        return getattr(choice, "n_votes", "—")


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
    form = EditedFieldsForm
    list_display = ("question", "author", "state_label", "vote_total", "published_at")
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
    readonly_fields = ("vote_total", "published_at", "created_at", "updated_at")
    autocomplete_fields = ("author",)
    inlines = (ChoiceInline,)
    actions = ("open_polls", "close_polls", "show_results", "hide_results", "duplicate_polls")
    fieldsets = (
        (None, {"fields": ("question", "slug", "intro", "author", "status", LOADED_VALUES)}),
        (
            "Voting",
            {
                "fields": (
                    "multiple",
                    "max_choices",
                    "who_can_vote",
                    "results_visibility",
                    "results_hidden",
                    "allow_vote_change",
                    "write_in",
                    "write_in_needs_definition",
                )
            },
        ),
        ("Schedule", {"fields": ("opens_at", "closes_at")}),
        ("Discussion", {"fields": ("notify_pending",)}),
        ("Totals", {"fields": ("vote_total", "published_at", "created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_ballot_totals()

    @admin.display(description="state")
    def state_label(self, poll: Poll) -> str:
        return poll.state.capitalize()

    @admin.display(description="votes", ordering="ballot_total")
    def vote_total(self, poll: Poll) -> int:
        return getattr(poll, "ballot_total", 0)

    # Saves go through the same services as the site, and write only what was edited, so
    # an admin's form never undoes what happened while it was open (votes, a close).
    def save_model(self, request: HttpRequest, obj: Poll, form, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.edited_fields()}
            hidden = changes.pop("results_hidden", None)
            editing.poll_change(poll=obj, changes=changes)
            if hidden is not None:  # the presenter's Show / Hide results, same service
                lifecycle.poll_reveal(poll=obj, show=not hidden)
        else:
            editing.poll_add(poll=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if isinstance(formset, ChoiceInlineFormSet):
            editing.poll_choices_set(poll=form.instance, choices=formset.choice_inputs())
            # What the admin's history message reads; the service did the writing.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        else:  # pragma: no cover - the poll admin has no other inline
            super().save_formset(request, form, formset, change)

    def delete_model(self, request: HttpRequest, obj: Poll) -> None:
        lifecycle.poll_delete(poll=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        lifecycle.polls_delete(polls=list(queryset))

    @admin.action(description="Open the selected polls now", permissions=["change"])
    def open_polls(self, request: HttpRequest, queryset: QuerySet) -> None:
        for poll in queryset:
            lifecycle.poll_open(poll=poll)
        self.message_user(request, f"Opened {len(queryset)} poll(s).", messages.SUCCESS)

    @admin.action(description="Close the selected polls now", permissions=["change"])
    def close_polls(self, request: HttpRequest, queryset: QuerySet) -> None:
        for poll in queryset:
            lifecycle.poll_close(poll=poll)
        self.message_user(request, f"Closed {len(queryset)} poll(s).", messages.SUCCESS)

    @admin.action(description="Show the results of the selected polls", permissions=["change"])
    def show_results(self, request: HttpRequest, queryset: QuerySet) -> None:
        for poll in queryset:
            lifecycle.poll_reveal(poll=poll, show=True)
        self.message_user(request, f"Results shown for {len(queryset)} poll(s).", messages.SUCCESS)

    @admin.action(description="Hide the results of the selected polls", permissions=["change"])
    def hide_results(self, request: HttpRequest, queryset: QuerySet) -> None:
        for poll in queryset:
            lifecycle.poll_reveal(poll=poll, show=False)
        self.message_user(request, f"Results hidden for {len(queryset)} poll(s).", messages.SUCCESS)

    @admin.action(description="Duplicate the selected polls as drafts", permissions=["add"])
    def duplicate_polls(self, request: HttpRequest, queryset: QuerySet) -> None:
        for poll in queryset:
            lifecycle.poll_duplicate(poll=poll, author=request.user)
        self.message_user(request, f"Copied {len(queryset)} poll(s) as drafts.", messages.SUCCESS)


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    """Ballots are the record of who voted; nobody edits or deletes them by hand."""

    list_display = ("poll", "round", "voter_key", "user", "chosen", "created_at", "updated_at")
    list_filter = (("poll", admin.RelatedOnlyFieldListFilter), "round")
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
