"""The embeddable poll: /polls/<slug>/embed/, the vote form and results alone, for an
<iframe> on a trainer's blog.

Only this view (and its vote answer) may be framed, and only by the origins listed in
SOCIALPOLL_EMBED_ORIGINS (CSP frame-ancestors; without X-Frame-Options). Every other page
keeps frame-ancestors 'none' and X-Frame-Options: DENY.

Cookies: socialpoll's cookies (the voter's, CSRF) are SameSite=Lax, so a browser sends
none of them into a frame on another site, whether it blocks third-party cookies or not.
A vote posted from such a frame could neither pass CSRF nor be tied to its voter. So:

* framed by another site (the browser says so: ``Sec-Fetch-Site: cross-site``), the embed
  shows the choices with "Vote in a new tab": the choice travels in the address of the
  poll page, opened in a new tab where the voter's cookies are first-party, and the vote
  is cast there (works without JavaScript);
* framed on the same site (blog.example.org around polls.example.org), the vote is cast
  in the frame;
* a browser that sends no Sec-Fetch-Site and no cookies: the vote's CSRF check fails, and
  the answer is the embed again with "Vote in a new tab" and the choice kept, not an error.
"""

import re
from functools import wraps

from csp.constants import NONE
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from core import versions
from core.links import absolute_url
from polls import voting
from polls.models import Poll
from polls.views import VOTE_ERROR_STATUS, visible_poll, vote_context, vote_limit_hit
from polls.voters import voter_for_request

# scheme://host[:port], the host possibly starting with "*." (CSP's own wildcard).
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?")


NO_COOKIES = (
    "Your browser did not send this frame its cookies, so your vote could not be counted "
    "here. Vote in a new tab instead: your choice goes with it."
)


def embed_origins() -> list[str]:
    """The valid origins of SOCIALPOLL_EMBED_ORIGINS (a system check names the others)."""
    return [o.rstrip("/") for o in settings.SOCIALPOLL_EMBED_ORIGINS if _ORIGIN.fullmatch(o)]


def invalid_embed_origins() -> list[str]:
    return [o for o in settings.SOCIALPOLL_EMBED_ORIGINS if not _ORIGIN.fullmatch(o)]


def framable(view):
    """Let only the embed origins frame this view's answers (none while the list is empty)."""

    @wraps(view)  # keeps csrf_exempt and the like
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response._csp_replace = {"frame-ancestors": embed_origins() or [NONE]}
        response.xframe_options_exempt = True
        patch_vary_headers(response, ["Sec-Fetch-Site"])
        return response

    return wrapper


def _cross_site(request: HttpRequest) -> bool:
    return request.headers.get("Sec-Fetch-Site") == "cross-site"


def _embed_page(request: HttpRequest, poll: Poll, *, new_tab: bool, status: int = 200, **extra):
    context = vote_context(request, poll, version=versions.read(poll.pk), **extra)
    context.update(
        embed=True,
        new_tab=new_tab and context["can_vote"],
        poll_url=absolute_url(poll.get_absolute_url()),
    )
    return TemplateResponse(request, "polls/poll_embed.html", context, status=status)


@framable
@require_safe
def poll_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The vote form and the results, without the site around them."""
    poll = visible_poll(request, slug)
    return _embed_page(request, poll, new_tab=_cross_site(request))


def _csrf_refused(request: HttpRequest) -> bool:
    def checked_view(request):  # pragma: no cover - never called, only inspected
        return None

    check = CsrfViewMiddleware(lambda request: HttpResponse())
    return check.process_view(request, checked_view, (), {}) is not None


@framable
@csrf_exempt  # checked below, so that a refusal gets the embed's answer, not an error page
@require_POST
def embed_vote(request: HttpRequest, slug: str) -> HttpResponse:
    """A vote cast in the frame; without the frame's cookies, the way to a new tab."""
    poll = visible_poll(request, slug, with_author=False)
    selected = request.POST.getlist("choice")
    if _csrf_refused(request):
        return _embed_page(
            request, poll, new_tab=True, status=403, selected=selected, error=NO_COOKIES
        )
    limit = vote_limit_hit(request)
    if not limit.allowed:
        error = f"Too many votes from your network just now. Try again in {limit.retry_after} s."
        return _embed_page(request, poll, new_tab=False, status=429, error=error)
    try:
        voting.ballot_cast(poll=poll, voter=voter_for_request(request), choice_ids=selected)
    except ValidationError as error:
        status = VOTE_ERROR_STATUS.get(error.code, 400)
        return _embed_page(
            request, poll, new_tab=False, status=status, error=error.messages[0], selected=selected
        )
    messages.success(request, "Thanks for voting!")
    return redirect("polls:embed", slug=poll.slug)
