from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import ListView
from django_htmx.http import HttpResponseStopPolling

from core import choicecredit, versions
from core.ratelimit import client_ip, ratelimit_hit
from core.versions import PollVersion
from polls import voting
from polls.choices import choices_added_since
from polls.live import LivePoll, conditional, live_poll, rendered
from polls.live import has_voted as has_voted_in
from polls.models import Ballot, Choice, Poll
from polls.pagecache import cached_for_first_time_readers
from polls.results import poll_results, results_csv
from polls.voters import voter_for_request

# How each refused vote is answered. Bad input is 400; a rule about the poll or the voter
# is 403; a second ballot where changes are not allowed is 409.
NOTICE_SAYS_WHY = frozenset({"closed", "not_open", "login_required"})
VOTE_ERROR_STATUS = {
    # Not refused: the vote waits for the voter's definition (the composer opens).
    "definition_needed": 200,
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
    """Home page: published polls, newest first, with their vote totals.

    The cards are rendered once per set of polls and their versions, and cached
    (polls/poll_list.html): a page of polls costs two small queries and two cache reads,
    and a vote or an edit of any poll on it shows at once.
    """

    template_name = "polls/poll_list.html"
    context_object_name = "polls"

    def get_paginate_by(self, queryset) -> int:
        return settings.POLLS_PER_PAGE

    def get_queryset(self):
        return Poll.objects.listed().open_first()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        rows = list(
            context["page_obj"].object_list.values_list("pk", "status", "opens_at", "closes_at")
        )
        ids = [pk for pk, *_ in rows]
        # Read before the cards' data (which the template reads only if not cached); the
        # state is in the key too, since a closing time passes without any write.
        shown = versions.read_many(ids)
        # The reader's time zone too: the cards show opening times.
        context["cards_key"] = ";".join(
            [timezone.get_current_timezone_name()]
            + [f"{pk}:{shown[pk].both}:{Poll.state_of(*schedule)}" for pk, *schedule in rows]
        )
        context["cards_timeout"] = settings.POLLS_RESULTS_CACHE_SECONDS
        context["polls"] = (
            Poll.objects.listed().open_first().filter(pk__in=ids).with_ballot_totals()
        )
        user = self.request.user
        if user.is_authenticated and user.has_perm("polls.add_poll"):
            context["drafts"] = Poll.objects.drafts_of(user)[: settings.POLLS_PER_PAGE]
        return context


def visible_poll(request: HttpRequest, slug: str, *, with_author: bool = True) -> Poll:
    """A published poll, or a draft for those who manage it; anyone else gets a 404."""
    polls = Poll.objects.select_related("author") if with_author else Poll.objects.all()
    poll = get_object_or_404(polls, slug=slug)
    if not poll.is_published and not poll.is_managed_by(request.user):
        raise Http404("No poll here.")
    return poll


def _selected_ids(selected) -> set[int]:
    try:
        return set(voting.parse_choice_ids(selected))
    except ValidationError:
        return set()


def vote_context(
    request: HttpRequest,
    poll: Poll,
    *,
    version: PollVersion,
    state: voting.VotingState | None = None,
    error: str = "",
    selected=(),
    thanks: str = "",
) -> dict:
    """What the vote block and the results show this reader."""
    voter = voter_for_request(request)
    if state is None:
        state = voting.voting_state(poll=poll, voter=voter, user=request.user)
    choices = list(poll.choices.all())
    credits = choicecredit.credits_for(poll.pk, content_version=version.content)
    for choice in choices:
        choice.credit = credits.get(choice.pk)
    return {
        "poll": poll,
        "version": version,
        "choices": choices,
        "voted_ids": state.voted_ids,
        "voted_choices": [choice for choice in choices if choice.pk in state.voted_ids],
        "selected_ids": _selected_ids(selected),
        "has_voted": state.has_voted,
        "can_vote": state.can_vote,
        "needs_login": state.needs_login,
        "show_results": state.show_results,
        "results": poll_results(poll, version) if state.show_results else None,
        "live_results": state.show_results and poll.is_open,
        "refresh_seconds": settings.POLLS_RESULTS_REFRESH_SECONDS,
        "can_manage": poll.is_managed_by(request.user),
        "can_export": poll.results_always_visible_to(request.user),
        "vote_error": error,
        "thanks": thanks,
        "wrote_in": any(c.is_write_in and c.pk in state.voted_ids for c in choices),
        "new_choices": added_since_vote(poll, voter, state, choices),
    }


def added_since_vote(
    poll: Poll, voter, state: voting.VotingState, choices: list[Choice]
) -> list[Choice]:
    """Choices added after this reader last voted ("A new definition was added")."""
    if not state.has_voted or not choices:
        return []
    times = [choice.created_at for choice in choices]
    if max(times) - min(times) < timedelta(seconds=5):  # all written with the poll: no query
        return []
    ballots = Ballot.objects.filter(poll_id=poll.pk, voter_key=voter.key)
    return choices_added_since(
        poll=poll, when=ballots.values_list("updated_at", flat=True).first(), choices=choices
    )


@cached_for_first_time_readers
@require_safe
def poll_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The poll page: question, intro, vote form, the results when visible, the discussion."""
    poll = visible_poll(request, slug)
    # ?choice=<id> ticks a choice ahead (the embed's "Vote in a new tab" sends it).
    selected = request.GET.getlist("choice")
    context = vote_context(request, poll, version=versions.read(poll.pk), selected=selected)
    return TemplateResponse(request, "polls/poll_detail.html", context)


@require_safe
def poll_results_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    """The results block alone, which htmx refreshes: from the cache, 304 when unchanged."""
    live = live_poll(slug)
    if live is None:
        raise Http404("No poll here.")
    poll = live.poll
    if not poll.is_published and not poll.is_managed_by(request.user):
        raise Http404("No poll here.")
    if live.is_unchanged_for(request):
        return conditional(HttpResponseNotModified(), live, "same")
    has_voted = (
        poll.results_visibility == Poll.ResultsVisibility.AFTER_VOTE
        and not poll.results_hidden
        and has_voted_in(poll=poll, voter=voter_for_request(request))
    )
    context = {
        "poll": poll,
        "live_results": poll.is_open,
        "refresh_seconds": settings.POLLS_RESULTS_REFRESH_SECONDS,
    }
    if poll.results_visible_to(request.user, has_voted=has_voted):
        return _live_fragment(live, "counts", "polls/_results.html", context)
    if poll.results_hidden:  # the trainer may show them any moment: keep asking
        return _live_fragment(live, "wait", "polls/_results_waiting.html", context)
    if request.htmx:  # stop the refresh and leave a note where the results were
        return HttpResponseStopPolling(
            '<p id="poll-results" class="small text-body-secondary">'
            "The results are not shown at the moment.</p>"
        )
    raise Http404("Results are not visible.")


def _live_fragment(live: LivePoll, kind: str, template: str, context: dict) -> HttpResponse:
    """The same bytes for every reader of this version: rendered once per worker."""

    def render_fragment() -> str:
        if kind == "counts":
            context["results"] = poll_results(live.poll, live.version)
        return render_to_string(template, context)

    return conditional(HttpResponse(rendered(live, kind, render_fragment)), live, kind)


def _refused_vote(
    request: HttpRequest, poll: Poll, error: ValidationError, selected, status: int
) -> HttpResponse:
    template = "polls/_vote.html" if request.htmx else "polls/poll_detail.html"
    context = vote_context(
        request, poll, version=versions.read(poll.pk), error=error.messages[0], selected=selected
    )
    # The block's own notice already says "closed", "opens on" or "log in": said once.
    context["error_in_notice"] = error.code in NOTICE_SAYS_WHY
    if error.code == "definition_needed":
        context["wrote_in"] = True  # the composer takes the definition, then the vote
    response = TemplateResponse(request, template, context, status=status)
    if request.htmx:
        # htmx leaves 4xx answers unswapped; the page's script swaps answers that carry
        # this header (the vote block with its message), in DEBUG as in production.
        response["HX-Reswap"] = "innerHTML"
    return response


def _too_many_votes(request: HttpRequest, slug: str, retry_after: int) -> HttpResponse:
    if request.htmx:
        poll = visible_poll(request, slug)
        error = ValidationError(
            f"Too many votes from your network just now. Try again in {retry_after} seconds."
        )
        response = _refused_vote(request, poll, error, (), 429)
    else:
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def vote_limit_hit(request: HttpRequest):
    """Count a vote from this request's address against the per-address limit (a room
    behind one address is slowed, never banned)."""
    return ratelimit_hit(
        scope="vote",
        key=client_ip(request),
        limit=settings.POLLS_VOTE_RATE_LIMIT,
        window=settings.POLLS_VOTE_RATE_WINDOW,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Cast (or change) this voter's ballot; then redirect back (or, with htmx, the new block)."""
    if request.method != "POST":  # a reloaded or shared form address: the poll itself
        return redirect("polls:detail", slug=slug)
    limit = vote_limit_hit(request)
    if not limit.allowed:
        return _too_many_votes(request, slug, limit.retry_after)
    poll = visible_poll(request, slug, with_author=False)
    selected = request.POST.getlist("choice")
    try:
        outcome = voting.ballot_cast(
            poll=poll, voter=voter_for_request(request), choice_ids=selected
        )
    except ValidationError as error:
        return _refused_vote(request, poll, error, selected, VOTE_ERROR_STATUS.get(error.code, 400))
    thanks = "Thanks for voting!" if outcome.created else "Your vote was changed."
    if not outcome.created and not outcome.changed:
        thanks = "Your vote stays as it was."
    if request.htmx:
        context = vote_context(request, poll, version=versions.read(poll.pk), thanks=thanks)
        return TemplateResponse(request, "polls/_vote.html", context)
    messages.success(request, thanks)
    return redirect(poll)


@require_safe
@login_required
def poll_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The results as a CSV download, for the poll's trainer and staff (drafts: 404 as the
    page is, for anyone who may not manage them)."""
    poll = visible_poll(request, slug)
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
        return (
            Poll.objects.authored_by(self.request.user)
            .with_ballot_totals()
            .order_by("-created_at", "-pk")
        )
