from django.contrib import admin
from django.urls import include, path

from polls.views import health

admin.site.site_header = "socialpoll administration"
admin.site.site_title = "socialpoll admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health/", health, name="health"),
    path("", include("polls.urls")),
    path("", include("comments.urls")),
]
