"""Liveness and readiness for load balancers; Django's login and password reset, limited."""

import json
import logging
import secrets

from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import signin, signup
from core.cache import cache

logger = logging.getLogger("socialpoll.health")


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else (the HTTP benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as error:
        logger.warning("Readiness: database unavailable: %s", error)
        return False


def _cache_ok() -> bool:
    key, token = "readiness-probe", secrets.token_hex(4)
    cache.set(key, token, timeout=30)
    return cache.get(key) == token


@never_cache
@require_safe
def ready(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when this server can serve readers, 503 when the database is down.

    The cache is checked and reported, but a cache that is down does not take the server
    out of rotation: every page still works without it (only slower), and with one Redis
    shared by all servers, failing here would take every server out at once.
    """
    database, cache_ok = _database_ok(), _cache_ok()
    body = json.dumps(
        {
            "database": "ok" if database else "unavailable",
            "cache": "ok" if cache_ok else "unavailable",
        }
    )
    response = HttpResponse(body, content_type="application/json", status=200 if database else 503)
    if not database:
        response["Retry-After"] = "10"
    return response


def _refused(view, refusal: signin.Refusal, form) -> HttpResponse:
    """The form again, with what to wait for: 429 and Retry-After."""
    context = view.get_context_data(form=form, refusal=refusal.message)
    response = view.render_to_response(context, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


class LoginView(auth_views.LoginView):
    """Django's login, with limits on wrong passwords (core/signin.py)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")[:150]
        refusal = signin.signin_refusal(request, username)
        if refusal is not None:
            # An unbound form: the password is not even checked while the limit holds.
            form = self.get_form_class()(request, initial={"username": username})
            return _refused(self, refusal, form)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        if signup.awaits_confirmation(
            username=form.data.get("username", "")[:150], password=form.data.get("password", "")
        ):
            form.errors.clear()
            form.add_error(
                None,
                "Please confirm your email address first: follow the link in the email we sent "
                "you when you signed up.",
            )
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        signin.signin_succeeded(self.request, response, form.cleaned_data["username"])
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout, saying so on the page it lands on."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have logged out.")
        return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login page, under the same limits as the site's."""
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        refusal = signin.signin_refusal(request, username)
        if refusal is not None:
            response = render(request, "429.html", {"message": refusal.message}, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
    response = admin.site.login(request)
    if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
        signin.signin_succeeded(request, response, username)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with limits per address and per email address."""

    def form_valid(self, form) -> HttpResponse:
        refusal = signin.reset_refusal(self.request, form.cleaned_data["email"])
        if refusal is not None:
            return _refused(self, refusal, form)
        return super().form_valid(form)
