from django.urls import path

from polls import views

app_name = "polls"

urlpatterns = [
    path("", views.PollListView.as_view(), name="list"),
    path("polls/<slug:slug>/", views.poll_detail, name="detail"),
    path("polls/<slug:slug>/vote/", views.vote, name="vote"),
    path("polls/<slug:slug>/results/", views.poll_results_fragment, name="results"),
]
