"""Getting people to a poll: the join code's short address, the QR code downloads, and the
embeddable poll (polls/embed.py holds the framing rules)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from polls.joincodes import join_code_normalise
from polls.models import Poll
from polls.qr import join_address, qr_drawing, qr_png
from polls.views import visible_poll


@require_safe
def join(request: HttpRequest, code: str) -> HttpResponse:
    """/j/<code>: the poll with this join code, in any case; 404 for a code no poll has."""
    normalised = join_code_normalise(code)
    poll = Poll.objects.filter(join_code=normalised).first() if normalised else None
    if poll is None or not (poll.is_published or poll.is_managed_by(request.user)):
        raise Http404("No poll has this code.")  # a draft's address is not given away
    return redirect(poll)


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def qr_svg(request: HttpRequest, slug: str) -> HttpResponse:
    """The join address's QR code as an SVG file."""
    poll = visible_poll(request, slug, with_author=False)
    svg = render_to_string("polls/qr.svg", {"qr": qr_drawing(join_address(poll))})
    return _download(svg, "image/svg+xml", f"{poll.slug}-qr.svg")


@require_safe
def qr_png_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The join address's QR code as a PNG file."""
    poll = visible_poll(request, slug, with_author=False)
    return _download(qr_png(join_address(poll)), "image/png", f"{poll.slug}-qr.png")
