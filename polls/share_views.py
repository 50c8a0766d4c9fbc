"""Getting people to a poll: the join code's short address, the QR code downloads, and the
embeddable poll (polls/embed.py holds the framing rules)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from polls.joincodes import join_code_normalise
from polls.models import Poll
from polls.qr import join_address, qr_drawing, qr_png
from polls.views import visible_poll


def _poll_for_code(request: HttpRequest, typed: str) -> Poll | None:
    """The poll with this join code, if this reader may see it (a draft's stays unknown)."""
    code = join_code_normalise(typed)
    poll = Poll.objects.filter(join_code=code).first() if code else None
    if poll is None or not (poll.is_published or poll.is_managed_by(request.user)):
        return None
    return poll


def _join_page(request: HttpRequest, typed: str) -> HttpResponse:
    context = {"typed": typed, "not_found": bool(typed)}
    return render(request, "polls/join.html", context, status=404 if typed else 200)


@require_safe
def join(request: HttpRequest, code: str) -> HttpResponse:
    """/j/<code>: the poll with this join code, in any case; for a code no poll has, a 404
    page to type it again."""
    poll = _poll_for_code(request, code)
    return redirect(poll) if poll else _join_page(request, code[:20])


@require_safe
def join_form(request: HttpRequest) -> HttpResponse:
    """/j/: type a join code (the form sends ?code=…)."""
    typed = request.GET.get("code", "").strip()[:20]
    poll = _poll_for_code(request, typed) if typed else None
    return redirect(poll) if poll else _join_page(request, typed)


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
