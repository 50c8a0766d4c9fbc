"""A trainer's pages: write and edit a poll, close it now, and the list of their polls."""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from polls import editing
from polls.forms import ChoiceFormSet, PollForm
from polls.models import Ballot, Poll

trainer_required = permission_required("polls.add_poll", raise_exception=True)


def managed_poll(request: HttpRequest, slug: str) -> Poll:
    """The poll, if this user may manage it (its author, or staff with the permission)."""
    poll = get_object_or_404(Poll.objects.select_related("author"), slug=slug)
    if not poll.is_managed_by(request.user):
        raise PermissionDenied("You can only manage your own polls.")
    return poll


def _saved_message(before: Poll | None, saved: Poll) -> str:
    if not saved.is_published:
        return "Your draft is saved; only you can see it."
    if before is None or not before.is_published:
        return "Your poll is published."
    if saved.state == "closed":
        return "Your changes are saved. The poll is closed."
    return "Your changes are saved."


def _save(request: HttpRequest, poll: Poll | None, form: PollForm, formset) -> Poll:
    publish = request.POST.get("action") == "publish"
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    if poll is None:
        return editing.poll_create(
            author=request.user, fields=fields, choices=formset.as_inputs(), publish=publish
        )
    return editing.poll_update(
        poll=poll, fields=fields, choices=formset.as_inputs(), publish=publish
    )


def _poll_form_page(request: HttpRequest, poll: Poll | None) -> HttpResponse:
    voted = editing.choices_with_votes(poll=poll) if poll else {}
    choices_errors: list[str] = []
    if request.method == "POST":
        # The form writes cleaned values onto its instance; keep the page's poll as saved.
        form = PollForm(request.POST, instance=Poll() if poll is None else copy.copy(poll))
        formset = ChoiceFormSet(request.POST, prefix="choices")
        if "add_choice" in request.POST:
            form, formset = _with_another_choice(poll, form, formset)
        elif form.is_valid() and formset.is_valid():
            try:
                saved = _save(request, poll, form, formset)
            except ValidationError as error:
                choices_errors = _attach_errors(form, formset, error)
            else:
                messages.success(request, _saved_message(poll, saved))
                return redirect(saved)
    else:
        form = PollForm(instance=poll)
        rows = (
            [{"id": c.pk, "text": c.text} for c in poll.choices.filter(is_write_in=False)]
            if poll
            else []
        )
        blank_rows = settings.POLLS_NEW_POLL_CHOICE_ROWS if poll is None else 1
        formset = ChoiceFormSet(initial=rows + [{}] * blank_rows, prefix="choices")
    formset.mark_voted(voted)
    context = {
        "poll": poll,
        "form": form,
        "formset": formset,
        "choices_errors": choices_errors,
        "voted": voted,
        "ballot_total": Ballot.objects.filter(poll=poll).count() if voted else 0,
        "max_choices": settings.POLLS_MAX_CHOICES,
        "can_add_choice": len(formset.forms) < settings.POLLS_MAX_CHOICES,
    }
    status = 400 if request.method == "POST" and "add_choice" not in request.POST else 200
    return render(request, "polls/poll_form.html", context, status=status)


def _with_another_choice(poll: Poll | None, form: PollForm, formset) -> tuple:
    """The same form, unvalidated, with one more empty choice row (works without JS)."""
    initial = {name: form[name].value() for name in form.fields}
    new_form = PollForm(instance=poll, initial=initial)
    rows = [*formset.raw_rows(), {}]
    new_formset = ChoiceFormSet(initial=rows, prefix="choices")
    new_formset.forms[-1].fields["text"].widget.attrs["autofocus"] = True
    return new_form, new_formset


def _attach_errors(form: PollForm, formset, error: ValidationError) -> list[str]:
    """Show the service's refusals next to the fields they are about."""
    choices_errors: list[str] = []
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return choices_errors
    for key, errors in error.message_dict.items():
        if key.startswith("choice-"):
            index = int(key.removeprefix("choice-"))
            formset.forms[index].add_error("text", errors)
        elif key == "choices":
            choices_errors.extend(errors)
        elif key in form.fields:
            form.add_error(key, errors)
        else:
            form.add_error(None, errors)
    return choices_errors


@login_required
@trainer_required
def poll_create(request: HttpRequest) -> HttpResponse:
    """New poll: question, intro, choices and settings; publish now or save a draft."""
    return _poll_form_page(request, None)


@login_required
def poll_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit one's own poll; voted choices stay as they are, new ones may be added."""
    return _poll_form_page(request, managed_poll(request, slug))


@require_POST
@login_required
def poll_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close now: no more votes from this moment."""
    poll = editing.poll_close(poll=managed_poll(request, slug))
    messages.success(request, "The poll is closed.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(poll)
