"""A signed-in person's profile page: the website their comments link to."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.models import Profile, website_of
from core.websites import website_field


class ProfileForm(forms.Form):
    website = website_field(help_text=Profile._meta.get_field("website").help_text)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    """Show and change the profile; saved, it says so and shows the page again."""
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, initial={"website": website_of(request.user)})
    if request.method == "POST" and form.is_valid():
        Profile.objects.update_or_create(
            user=request.user, defaults={"website": form.cleaned_data["website"]}
        )
        messages.success(request, "Your profile was saved.")
        return redirect("profile")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "page_title": "Your profile", "button_label": "Save profile"}
    return render(request, "registration/profile.html", context, status=status)
