import copy
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView
from django_htmx.http import HttpResponseStopPolling

from polls import pagecache, services
from polls.conf import poll_setting
from polls.forms import ChoiceFormSet, PollForm
from polls.models import Ballot, Poll, results_visible
from polls.results import results_csv, results_table_html
from polls.voters import Voter, remember_voter, voter_for_request
from socialpoll.ratelimit import client_ip, ratelimit_hit

# How each refused vote is answered. Bad input is 400; a rule about the poll or the voter
# is 403; a second ballot where changes are not allowed is 409.
VOTE_ERROR_STATUS = {
    "invalid_choice": 400,
    "no_choice": 400,
    "too_many": 400,
    "not_published": 403,
    "not_open": 403,
    "closed": 403,
    "login_required": 403,
    "already_voted": 409,
}


class PollListView(ListView):
    """Home page: published polls, newest first, with their vote totals."""

    template_name = "polls/poll_list.html"
    context_object_name = "polls"

    def get_paginate_by(self, queryset) -> int:
        return poll_setting("POLLS_PER_PAGE")

    def get_queryset(self):
        return Poll.objects.listed()


def _visible_poll(request: HttpRequest, slug: str) -> Poll:
    """A published poll, or a draft for those who manage it; anyone else gets a 404."""
    poll = get_object_or_404(Poll.objects.select_related("author"), slug=slug)
    if not poll.is_published and not poll.is_managed_by(request.user):
        raise Http404("No poll here.")
    return poll


def _poll_context(
    request: HttpRequest,
    poll: Poll,
    *,
    voter: Voter,
    ballot: Ballot | None = None,
    error: str = "",
    selected=(),
    thanks: bool = False,
) -> dict:
    """Everything the vote block and the results need: three queries at most for a reader."""
    choices = list(poll.choices.all())
    if ballot is not None:
        voted_ids = set(ballot.choice_ids)
    elif voter.is_new:  # a browser without a voter cookie cannot have voted
        voted_ids = set()
    else:
        voted_ids = services.ballot_choice_ids(poll=poll, voter=voter)
    has_voted = bool(voted_ids)
    needs_login = poll.who_can_vote == Poll.Voters.USERS and voter.user is None
    can_vote = poll.is_open and not needs_login and (not has_voted or poll.allow_vote_change)
    show_results = results_visible(poll=poll, user=request.user, has_voted=has_voted)
    return {
        "poll": poll,
        "choices": choices,
        "voted_ids": voted_ids,
        "voted_choices": [choice for choice in choices if choice.pk in voted_ids],
        "selected_ids": {int(s) for s in selected if str(s).isascii() and str(s).isdigit()},
        "has_voted": has_voted,
        "can_vote": can_vote,
        "needs_login": needs_login and poll.is_open,
        "show_results": show_results,
        "results_html": results_table_html(poll, choices) if show_results else "",
        "live_results": show_results and poll.is_open,
        "refresh_seconds": poll_setting("POLLS_RESULTS_REFRESH_SECONDS"),
        "can_manage": poll.is_managed_by(request.user),
        "can_export": poll.results_always_visible_to(request.user),
        "vote_error": error,
        "thanks": thanks,
    }


@require_safe
def poll_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The poll page: question, intro, vote form and, when visible, the results."""
    voter = voter_for_request(request)
    shared = pagecache.shareable(request)
    if shared:
        response = pagecache.cached_response(request, slug, voter)
        if response is not None:
            return response
    poll = _visible_poll(request, slug)
    if shared and poll.is_published:
        versions = pagecache.versions_for_store(poll)
        poll = _visible_poll(request, slug)  # read again after the versions, so a write
        # between the two reads leaves a stored page stale rather than wrongly current
    context = _poll_context(request, poll, voter=voter)
    response = TemplateResponse(request, "polls/poll_detail.html", context)
    if shared and poll.is_published and not context["has_voted"]:
        response.add_post_render_callback(partial(pagecache.store, request, slug, poll, versions))
    return response


@require_safe
def poll_results_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    """The results block alone: htmx refreshes it while the poll is open."""
    poll = _visible_poll(request, slug)
    voter = voter_for_request(request)
    has_voted = False
    if poll.results_visibility == Poll.ResultsVisibility.AFTER_VOTE and not voter.is_new:
        has_voted = bool(services.ballot_choice_ids(poll=poll, voter=voter))
    if not results_visible(poll=poll, user=request.user, has_voted=has_voted):
        if request.htmx:  # stop the refresh and leave a note where the results were
            return HttpResponseStopPolling(
                '<p id="poll-results" class="small text-body-secondary">'
                "The results are not shown at the moment.</p>"
            )
        raise Http404("Results are not visible.")
    context = {
        "poll": poll,
        "results_html": results_table_html(poll),
        "live_results": poll.is_open,
        "refresh_seconds": poll_setting("POLLS_RESULTS_REFRESH_SECONDS"),
    }
    return render(request, "polls/_results.html", context)


def _swap_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # htmx leaves 4xx answers unswapped; this header tells the page's before-swap handler
    # (poll_detail.html) that the answer is the vote block with its error message.
    if request.htmx:
        response["HX-Reswap"] = "innerHTML"
    return response


def _too_many_votes(request: HttpRequest, slug: str, retry_after: int) -> HttpResponse:
    if request.htmx:
        poll = _visible_poll(request, slug)
        error = f"Too many votes from your network just now. Try again in {retry_after} seconds."
        context = _poll_context(request, poll, voter=voter_for_request(request), error=error)
        response = _swap_error(request, render(request, "polls/_vote.html", context, status=429))
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Cast (or change) this voter's ballot; then redirect back (or, with htmx, the new block)."""
    limit = ratelimit_hit(
        scope="vote",
        key=client_ip(request),
        limit=poll_setting("POLLS_VOTE_RATE_LIMIT"),
        window=poll_setting("POLLS_VOTE_RATE_WINDOW"),
    )
    if not limit.allowed:
        return _too_many_votes(request, slug, limit.retry_after)

    voter = voter_for_request(request)
    selected = request.POST.getlist("choice")
    # The common case, a first valid ballot, in one statement without loading the poll;
    # anything else (refusals, vote changes, SQLite) goes the full way below.
    ballot_id = services.ballot_cast_first(slug=slug, voter=voter, choice_ids=selected)
    if ballot_id is not None:
        if request.htmx:  # the vote block, read after the vote: counters included
            poll = _visible_poll(request, slug)
            ballot = Ballot(pk=ballot_id, poll=poll, voter_key=voter.key)
            context = _poll_context(request, poll, voter=voter, ballot=ballot, thanks=True)
            return remember_voter(TemplateResponse(request, "polls/_vote.html", context), voter)
        messages.success(request, "Thanks for voting!")
        return remember_voter(redirect("polls:detail", slug=slug), voter)

    poll = _visible_poll(request, slug)
    template = "polls/_vote.html" if request.htmx else "polls/poll_detail.html"
    try:
        ballot = services.ballot_cast(poll=poll, voter=voter, choice_ids=selected)
    except ValidationError as error:
        status = VOTE_ERROR_STATUS.get(error.code, 400)
        context = _poll_context(
            request, poll, voter=voter, error=error.messages[0], selected=selected
        )
        response = TemplateResponse(request, template, context, status=status)
        return remember_voter(_swap_error(request, response), voter)

    if request.htmx:
        poll.refresh_from_db()
        context = _poll_context(request, poll, voter=voter, ballot=ballot, thanks=True)
        return remember_voter(TemplateResponse(request, template, context), voter)
    messages.success(request, "Thanks for voting!")
    return remember_voter(redirect(poll), voter)


# --- trainer pages ------------------------------------------------------------------------

trainer_required = permission_required("polls.add_poll", raise_exception=True)


def _managed_poll(request: HttpRequest, slug: str) -> Poll:
    """The poll, if this user may manage it (its author, or staff with the permission)."""
    poll = get_object_or_404(Poll.objects.select_related("author"), slug=slug)
    if not poll.is_managed_by(request.user):
        raise PermissionDenied("You can only manage your own polls.")
    return poll


def _poll_form_page(request: HttpRequest, poll: Poll | None) -> HttpResponse:
    voted = services.choices_with_votes(poll=poll) if poll else {}
    if request.method == "POST":
        form = PollForm(request.POST, instance=Poll() if poll is None else _copy(poll))
        formset = ChoiceFormSet(request.POST, prefix="choices")
        choices_errors: list[str] = []
        if "add_choice" in request.POST:
            form, formset = _with_another_choice(poll, form, formset)
        elif form.is_valid() and formset.is_valid():
            publish = request.POST.get("action") == "publish"
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                if poll is None:
                    saved = services.poll_create(
                        author=request.user,
                        fields=fields,
                        choices=formset.as_inputs(),
                        publish=publish,
                    )
                else:
                    saved = services.poll_update(
                        poll=poll, fields=fields, choices=formset.as_inputs(), publish=publish
                    )
            except ValidationError as error:
                choices_errors = _attach_errors(form, formset, error)
            else:
                if saved.is_published:
                    messages.success(request, "Your poll is published.")
                else:
                    messages.success(request, "Your draft is saved; only you can see it.")
                return redirect(saved)
    else:
        form = PollForm(instance=poll)
        rows = [{"id": c.pk, "text": c.text} for c in poll.choices.all()] if poll else []
        blank_rows = poll_setting("POLLS_NEW_POLL_CHOICE_ROWS") if poll is None else 1
        formset = ChoiceFormSet(initial=rows + [{}] * blank_rows, prefix="choices")
        choices_errors = []
    formset.mark_voted(voted)
    context = {
        "poll": poll,
        "form": form,
        "formset": formset,
        "choices_errors": choices_errors,
        "voted": voted,
        "max_choices": poll_setting("POLLS_MAX_CHOICES"),
        "can_add_choice": len(formset.forms) < poll_setting("POLLS_MAX_CHOICES"),
    }
    status = 400 if request.method == "POST" and "add_choice" not in request.POST else 200
    return render(request, "polls/poll_form.html", context, status=status)


def _copy(poll: Poll) -> Poll:
    # The form writes cleaned values onto its instance; keep the page's poll as saved.
    return copy.copy(poll)


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
    return _poll_form_page(request, _managed_poll(request, slug))


@require_POST
@login_required
def poll_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close now: no more votes from this moment."""
    poll = services.poll_close(poll=_managed_poll(request, slug))
    messages.success(request, "The poll is closed.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(poll)


@require_safe
@login_required
def poll_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The results as a CSV download, for the poll's trainer and staff."""
    poll = get_object_or_404(Poll, slug=slug)
    if not poll.results_always_visible_to(request.user):
        raise PermissionDenied("Only the poll's trainer and staff can download its results.")
    response = HttpResponse(results_csv(poll), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{poll.slug}-results.csv"'
    return response


class MyPollListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """A trainer's own polls, drafts included, newest first."""

    permission_required = "polls.add_poll"
    template_name = "polls/poll_mine.html"
    context_object_name = "polls"
    paginate_by = 25

    def get_queryset(self):
        return Poll.objects.authored_by(self.request.user).order_by("-created_at", "-pk")


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """A trivial liveness check for load balancers (and the HTTP benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")
