from django.urls import include, path

from xtd_site import views

urlpatterns = [
    path("polls/<slug:slug>/", views.poll_detail, name="poll-detail"),
    path("comments/", include("django_comments_xtd.urls")),
]
