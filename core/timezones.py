"""Times in the reader's own time zone: chosen once (the browser's zone is offered), kept in
their session, activated for each of their requests. Stored times stay in UTC; forms read
the times typed in that zone (Django converts with the active zone)."""

import zoneinfo
from functools import cache as memoize

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

SESSION_KEY = "time_zone"


@memoize
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def zone_for(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone of this name, or None for anything that is not a known zone."""
    if name not in zone_names():
        return None
    return zoneinfo.ZoneInfo(name)


class TimezoneMiddleware:
    """Show and read times in the zone the signed-in reader chose (UTC by default)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = None
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            try:
                zone = zone_for(session.get(SESSION_KEY) or "")
            except DatabaseError:
                # The view meets the same error and answers it (a 503 for a database that
                # is down: socialpoll/middleware.py); the zone is no reason to fail first.
                zone = None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in zone_names()]
        self.fields["time_zone"].widget.attrs["autocomplete"] = "off"


def _next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def time_zone_setting(request: HttpRequest) -> HttpResponse:
    """Choose the time zone that times are shown and entered in (the browser's is offered)."""
    chosen = request.session.get(SESSION_KEY, "")
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            request.session[SESSION_KEY] = form.cleaned_data["time_zone"]
            messages.success(request, f"Times are now shown in {form.cleaned_data['time_zone']}.")
            return redirect(_next(request) or "polls:mine")
    else:
        form = TimeZoneForm(initial={"time_zone": chosen or timezone.get_current_timezone_name()})
    context = {"form": form, "chosen": chosen, "next": _next(request)}
    status = 400 if request.method == "POST" else 200
    return render(request, "core/time_zone.html", context, status=status)
