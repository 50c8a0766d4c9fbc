"""A trainer's pages: write and edit a poll; close, reopen, duplicate or delete it."""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from polls import editing, lifecycle
from polls.editing import POLL_FIELDS
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
        elif _all_valid(form, formset):
            try:
                saved = _save(request, poll, form, formset)
            except ValidationError as error:
                choices_errors = _attach_errors(form, formset, error)
            else:
                messages.success(request, _saved_message(poll, saved))
                return redirect(saved)
        elif formset.is_valid():
            choices_errors = _other_errors(request, poll, form, formset)
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


def _all_valid(form: PollForm, formset) -> bool:
    """Validate both (no short cut), so every field's error shows in the same round."""
    form_valid = form.is_valid()
    return formset.is_valid() and form_valid


def _other_errors(request: HttpRequest, poll: Poll | None, form: PollForm, formset) -> list[str]:
    """The service's refusals of what the form did accept (the choices, the settings), so a
    trainer sees every problem in one round; nothing is saved."""
    fields = {name: value for name, value in form.cleaned_data.items() if name in POLL_FIELDS}
    try:
        editing.poll_validate(
            poll=poll,
            fields=fields,
            choices=formset.as_inputs(),
            publish=request.POST.get("action") == "publish",
        )
    except ValidationError as error:
        already = set(form.errors)
        kept = {key: value for key, value in error.message_dict.items() if key not in already}
        return _attach_errors(form, formset, ValidationError(kept)) if kept else []
    return []


def _with_another_choice(poll: Poll | None, form: PollForm, formset) -> tuple:
    """The same form, unvalidated, with one more empty choice row (works without JS)."""
    initial = {name: form[name].value() for name in form.fields}
    new_form = PollForm(instance=poll, initial=initial)
    rows = [*formset.raw_rows(), {}]
    new_formset = ChoiceFormSet(initial=rows, prefix="choices")
    attrs = new_formset.forms[-1].fields["text"].widget.attrs
    attrs["autofocus"] = True  # a page load (no JS)
    attrs["data-focus-after-swap"] = True  # an htmx swap (static/js/socialpoll.js)
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


def _back(request: HttpRequest, poll: Poll) -> HttpResponse:
    """Where the trainer came from (a page of this site), else the poll."""
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(poll)


def _confirm_page(request: HttpRequest, poll: Poll, action: str, status: int = 200):
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    context = {
        "poll": poll,
        "action": action,
        "next": next_url,
        "ballot_total": Ballot.objects.filter(poll=poll).count() if action == "delete" else 0,
        "page": True,
    }
    return render(request, "polls/poll_confirm.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def poll_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close now: no more votes from this moment (GET asks to confirm; the form posts)."""
    poll = managed_poll(request, slug)
    if request.method != "POST":
        return _confirm_page(request, poll, "close")
    poll = lifecycle.poll_close(poll=poll)
    messages.success(request, "The poll is closed.")
    return _back(request, poll)


@require_POST
@login_required
def poll_reopen(request: HttpRequest, slug: str) -> HttpResponse:
    """Reopen a closed poll: votes are taken again from now, with no closing time."""
    poll = lifecycle.poll_open(poll=managed_poll(request, slug))
    messages.success(request, "The poll is open again.")
    return _back(request, poll)


@require_POST
@login_required
@trainer_required
def poll_duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    """Copy a poll as a draft for the next workshop, and open the copy's form."""
    copy_ = lifecycle.poll_duplicate(poll=managed_poll(request, slug), author=request.user)
    messages.success(
        request, "This is a copy of your poll, saved as a draft: check it and publish it."
    )
    return redirect("polls:edit", slug=copy_.slug)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def poll_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete a poll nobody has voted in (GET asks to confirm, or says why it cannot)."""
    poll = managed_poll(request, slug)
    if request.method != "POST":
        return _confirm_page(request, poll, "delete")
    try:
        lifecycle.poll_discard(poll=poll)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _back(request, poll)
    messages.success(request, f"“{poll.question}” is deleted.")
    return redirect("polls:mine")


@require_POST
@login_required
def poll_vote_again(request: HttpRequest, slug: str) -> HttpResponse:
    """Start the next round: the current one is kept as it is, everyone may vote again."""
    try:
        poll = lifecycle.poll_round_start(poll=managed_poll(request, slug))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("polls:detail", slug=slug)
    messages.success(request, f"Round {poll.current_round} has started: everyone may vote again.")
    return redirect(poll)
