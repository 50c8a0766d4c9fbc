from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from polls import services
from polls.models import Poll, results_visible
from polls.results import poll_results
from polls.voters import remember_voter, voter_for_request
from socialpoll.ratelimit import client_ip, ratelimit_hit


class PollListView(ListView):
    template_name = "polls/poll_list.html"
    context_object_name = "polls"

    def get_paginate_by(self, queryset) -> int:
        return settings.POLLS_PER_PAGE

    def get_queryset(self):
        return Poll.objects.listed()


def _visible_poll(request: HttpRequest, slug: str) -> Poll:
    """A published poll, or a draft for those who manage it; anyone else gets a 404."""
    poll = get_object_or_404(Poll.objects.select_related("author"), slug=slug)
    if not poll.is_published and not poll.is_managed_by(request.user):
        raise Http404("No poll here.")
    return poll


def _poll_context(request: HttpRequest, poll: Poll, *, error: str = "", selected=()) -> dict:
    voter = voter_for_request(request)
    ballot = services.ballot_for_voter(poll=poll, voter=voter)
    choices = list(poll.choices.all())
    has_voted = ballot is not None
    can_vote = poll.is_open and (not has_voted or poll.allow_vote_change)
    needs_login = poll.who_can_vote == Poll.Voters.USERS and not request.user.is_authenticated
    show_results = results_visible(poll=poll, user=request.user, has_voted=has_voted)
    return {
        "poll": poll,
        "choices": choices,
        "ballot": ballot,
        "voted_ids": ballot.choice_ids if ballot else set(),
        "selected_ids": {str(s) for s in selected},
        "has_voted": has_voted,
        "can_vote": can_vote and not needs_login,
        "needs_login": needs_login and poll.is_open,
        "show_results": show_results,
        "results": poll_results(poll, choices) if show_results else None,
        "can_manage": poll.is_managed_by(request.user),
        "vote_error": error,
    }


def poll_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The poll page: question, intro, vote form and, when visible, the results."""
    poll = _visible_poll(request, slug)
    return TemplateResponse(request, "polls/poll_detail.html", _poll_context(request, poll))


def poll_results_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    """The results block alone, for htmx's periodic refresh (or a plain link)."""
    poll = _visible_poll(request, slug)
    context = _poll_context(request, poll)
    if not context["show_results"]:
        raise Http404("Results are not visible yet.")
    return render(request, "polls/_results.html", context)


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """Cast (or change) this voter's ballot, then redirect back to the poll."""
    poll = _visible_poll(request, slug)
    limit = ratelimit_hit(
        scope="vote",
        key=client_ip(request),
        limit=settings.POLLS_VOTE_RATE_LIMIT,
        window=settings.POLLS_VOTE_RATE_WINDOW,
    )
    if not limit.allowed:
        response = render(
            request,
            "429.html",
            {"retry_after": limit.retry_after},
            status=429,
        )
        response["Retry-After"] = str(limit.retry_after)
        return response

    voter = voter_for_request(request)
    selected = request.POST.getlist("choice")
    try:
        services.ballot_cast(poll=poll, voter=voter, choice_ids=selected)
    except ValidationError as error:
        status = 403 if error.code == "login_required" else 400
        if error.code in {"closed", "not_open", "already_voted", "not_published"}:
            status = 409 if error.code == "already_voted" else 403
        context = _poll_context(request, poll, error=error.messages[0], selected=selected)
        response = TemplateResponse(request, "polls/poll_detail.html", context, status=status)
        return remember_voter(response, voter)

    messages.success(request, "Thanks for voting!")
    response = redirect(poll)
    return remember_voter(response, voter)


def health(request: HttpRequest) -> HttpResponse:
    """A trivial liveness check for load balancers (and the HTTP benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")
