"""Sign-up for readers: the form, "check your email", and the link that confirms it."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core import signup


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="We send a link to this address; your account works once you follow it.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


@never_cache
@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    """Make an account: it can sign in once its email address is confirmed."""
    if request.user.is_authenticated:
        return redirect("/")
    form = SignupForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refusal = signup.signup_refusal(request, data["email"])
        if refusal is not None:
            context["refusal"] = refusal.message
            response = render(request, "registration/signup_form.html", context, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        try:
            signup.account_signup(
                username=data["username"], email=data["email"], password=data["password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("signup_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/signup_form.html", context, status=status)


@never_cache
@require_safe
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_done.html")


@never_cache
@require_safe
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the email: the account can sign in from now on."""
    user = signup.account_confirm(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/signup_invalid.html", status=400)
    messages.success(request, "Your email address is confirmed. You can log in now.")
    return redirect("login")
