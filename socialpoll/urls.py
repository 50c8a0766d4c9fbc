from django.contrib import admin
from django.urls import include, path

from core import profile_views, signup_views, timezones
from core import views as core_views

admin.site.site_header = "socialpoll administration"
admin.site.site_title = "socialpoll admin"

urlpatterns = [
    path("admin/login/", core_views.admin_login),  # the admin's login, with the limits
    path("admin/", admin.site.urls),
    # Login and password reset with limits (core/signin.py), ahead of Django's own.
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", core_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/signup/", signup_views.signup_view, name="signup"),
    path("accounts/signup/done/", signup_views.signup_done, name="signup_done"),
    path(
        "accounts/confirm/<uidb64>/<token>/",
        signup_views.signup_confirm,
        name="signup_confirm",
    ),
    path("accounts/profile/", profile_views.profile_view, name="profile"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("settings/time-zone/", timezones.time_zone_setting, name="time_zone"),
    path("health/", core_views.health, name="health"),
    path("ready/", core_views.ready, name="ready"),
    path("", include("polls.urls")),
    path("", include("comments.urls")),
]
