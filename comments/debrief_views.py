"""The trainer's "Download debrief" (Markdown and CSV); anyone else gets 403."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from comments.debrief import debrief_csv, debrief_markdown, poll_debrief
from polls.models import Poll

_FORMATS = {
    "md": ("text/markdown; charset=utf-8", debrief_markdown),
    "csv": ("text/csv; charset=utf-8", debrief_csv),
}


@require_safe
@login_required
def poll_debrief_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The debrief of a poll as a file, for the poll's trainer (and staff who manage polls)."""
    poll = get_object_or_404(Poll.objects.select_related("author"), slug=slug)
    if not poll.is_published and not poll.is_managed_by(request.user):
        raise Http404("No poll here.")  # a draft is not there for anyone else, as its page
    if not poll.is_managed_by(request.user):
        raise PermissionDenied("Only the poll's trainer can download its debrief.")
    content_type, render = _FORMATS[fmt]
    response = HttpResponse(render(poll_debrief(poll=poll)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{poll.slug}-debrief.{fmt}"'
    return response
