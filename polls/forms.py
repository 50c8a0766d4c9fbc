"""The trainer's poll form and its choice rows ("Choice 1", "Choice 2", …)."""

from django import forms
from django.utils import timezone

from core.text import single_line
from polls.editing import POLL_FIELDS, ChoiceInput
from polls.models import Poll

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
LOCAL_INPUT = {"type": "datetime-local"}


class PollForm(forms.ModelForm):
    class Meta:
        model = Poll
        fields = POLL_FIELDS
        labels = {
            "question": "Question",
            "intro": "Intro",
            "who_can_vote": "Who may vote",
            "results_visibility": "Results are visible",
            "allow_vote_change": "Voters may change their vote while the poll is open",
            "write_in": "Let voters propose their own definition",
            "write_in_needs_definition": "A vote for “Something else” counts only with the "
            "voter's definition",
            "opens_at": "Opens at",
            "closes_at": "Closes at",
            "notify_pending": "Email me when a comment awaits my review",
        }
        widgets = {
            "question": forms.TextInput(attrs={"autocomplete": "off"}),
            "intro": forms.Textarea(attrs={"rows": 6}),
            "opens_at": forms.DateTimeInput(LOCAL_INPUT, format=DATETIME_LOCAL),
            "closes_at": forms.DateTimeInput(LOCAL_INPUT, format=DATETIME_LOCAL),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["question"].help_text = "The poll's heading, e.g. “How would you define X?”"
        self.fields[
            "opens_at"
        ].help_text = f"Time zone {zone}. Leave empty to open as soon as it is published."
        self.fields["closes_at"].help_text = f"Time zone {zone}. Leave empty to keep it open."
        self.fields["max_choices"].widget.attrs["min"] = 1
        # static/js/pollform.js hides this field unless "Multiple choice" is ticked; without
        # JavaScript it shows, and says when it counts.
        self.fields[
            "max_choices"
        ].help_text = "Only for multiple choice: how many choices a voter may tick, 2 or more."


class ChoiceForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(max_length=300, required=False, strip=True, validators=[single_line])

    def __init__(self, *args, number: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = f"Choice {number}" if number else "Choice"

    def as_input(self) -> ChoiceInput:
        data = getattr(self, "cleaned_data", {})
        return ChoiceInput(id=data.get("id"), text=data.get("text") or "")


class BaseChoiceFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict:
        kwargs = super().get_form_kwargs(index)
        kwargs["number"] = None if index is None else index + 1
        return kwargs

    def as_inputs(self) -> list[ChoiceInput]:
        return [form.as_input() for form in self.forms]

    def raw_rows(self) -> list[dict]:
        """What the browser sent for each row, to show the form again unchanged."""
        return [{"id": form["id"].value(), "text": form["text"].value()} for form in self.forms]

    def mark_voted(self, voted: dict[int, int]) -> None:
        """Make choices that hold votes read-only, saying why."""
        for form in self.forms:
            try:
                choice_id = int(form["id"].value() or 0)
            except (TypeError, ValueError):
                continue
            if choice_id in voted:
                count = voted[choice_id]
                field = form.fields["text"]
                field.widget.attrs["readonly"] = True
                field.help_text = (
                    f"{count} vote{'s' if count != 1 else ''}: this choice can no longer "
                    "be reworded or removed."
                )


# Rows beyond POLLS_MAX_CHOICES are refused by the service with a clear message; this cap
# only stops a forged TOTAL_FORMS from building thousands of forms.
ChoiceFormSet = forms.formset_factory(
    ChoiceForm,
    formset=BaseChoiceFormSet,
    extra=0,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)
