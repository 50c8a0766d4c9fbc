from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "socialpoll administration"
admin.site.site_title = "socialpoll admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health/", core_views.health, name="health"),
    path("ready/", core_views.ready, name="ready"),
    path("", include("polls.urls")),
    path("", include("comments.urls")),
]
