"""The workshop room: the presenter view, its live total and bars, and Show / Hide results."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from core import versions
from polls import lifecycle
from polls.live import LivePoll, conditional, live_poll
from polls.models import Poll
from polls.qr import join_address, qr_drawing
from polls.results import poll_results
from polls.trainer_views import managed_poll


def _presented(request: HttpRequest, live: LivePoll | None) -> Poll:
    """The poll, if this user may present it: its trainer, or staff (anyone else: 403)."""
    if live is None or not (live.poll.is_published or live.poll.is_managed_by(request.user)):
        raise Http404("No poll here.")  # a draft, as its page: only for those who manage it
    if not live.poll.results_always_visible_to(request.user):
        raise PermissionDenied("Only the poll's trainer and staff can present it.")
    return live.poll


def _live_context(live: LivePoll, user) -> dict:
    poll = live.poll
    results = poll_results(poll, live.version)
    return {
        "poll": poll,
        "results": results,
        "revealed": not poll.results_hidden,
        "can_manage": poll.is_managed_by(user),
        "refresh_seconds": settings.POLLS_PRESENTER_REFRESH_SECONDS,
    }


@require_safe
@login_required
def poll_present(request: HttpRequest, slug: str) -> HttpResponse:
    """The presenter view: question, how to join, the live total and, once shown, bars."""
    live = live_poll(slug)
    poll = _presented(request, live)
    address = join_address(poll)
    context = {**_live_context(live, request.user), "join_url": address, "qr": qr_drawing(address)}
    return render(request, "polls/present.html", context)


@require_safe
@login_required
def poll_present_live(request: HttpRequest, slug: str) -> HttpResponse:
    """The presenter's total and bars, which htmx refreshes: 304 while nothing changed."""
    live = live_poll(slug)
    _presented(request, live)
    if live.is_unchanged_for(request):
        return conditional(HttpResponseNotModified(), live, "same")
    response = render(request, "polls/_present_live.html", _live_context(live, request.user))
    return conditional(response, live, "presenter")


@require_POST
@login_required
def poll_reveal(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the results to the room, or hide them again (the trainer's R key or button)."""
    poll = lifecycle.poll_reveal(
        poll=managed_poll(request, slug), show=request.POST.get("show") == "1"
    )
    if request.htmx:  # the presenter view: its live block, and the button, swapped in place
        live = LivePoll(poll=poll, version=versions.read(poll.pk))
        context = {**_live_context(live, request.user), "swap_controls": True}
        return render(request, "polls/_present_live.html", context)
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(reverse("polls:present", kwargs={"slug": poll.slug}))
