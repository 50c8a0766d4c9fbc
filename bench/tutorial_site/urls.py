"""The tutorial's URLconfs (project and polls app) in one, plus /health/."""

from django.contrib import admin
from django.urls import include, path

from bench.tutorial_site import views

polls_patterns = (
    [
        path("", views.IndexView.as_view(), name="index"),
        path("<int:pk>/", views.DetailView.as_view(), name="detail"),
        path("<int:pk>/results/", views.ResultsView.as_view(), name="results"),
        path("<int:question_id>/vote/", views.vote, name="vote"),
    ],
    "polls",
)

urlpatterns = [
    path("polls/", include(polls_patterns)),
    path("admin/", admin.site.urls),
    path("health/", views.health),
]
