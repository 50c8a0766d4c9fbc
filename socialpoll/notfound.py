"""The site's own 404 page in DEBUG too (`make run`), with Django's detail in the console.

With DEBUG on, Django answers a missing page with its technical page (the URL patterns it
tried, the settings file's name): useful to a developer, confusing to anyone trying the
site. This middleware renders templates/404.html instead, as production does, and writes
what the technical page would have said to the console (the ``django.request`` log).
With DEBUG off it does nothing: Django's handler404 renders the same template.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, get_resolver

logger = logging.getLogger("django.request")


def _not_found(request: HttpRequest, detail: str) -> HttpResponse:
    logger.warning("Not Found (DEBUG detail): %s: %s", request.path, detail)
    return render(request, "404.html", status=404)


class FriendlyNotFoundMiddleware:
    """In DEBUG, a 404 shows the site's page; the technical detail goes to the console."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            # A URL no pattern matches never reaches process_exception: Django answers it
            # before the view middleware runs.
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as error:
                tried = len(error.args[0].get("tried", [])) if error.args else 0
                return _not_found(request, f"no URL pattern matches ({tried} tried)")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return _not_found(request, str(exception) or exception.__class__.__name__)
        return None
