from django.urls import path

from polls import embed, present_views, share_views, trainer_views, views

app_name = "polls"

urlpatterns = [
    path("", views.PollListView.as_view(), name="list"),
    # Trainer pages first: "new" and "mine" are never given to a poll as its slug.
    path("polls/new/", trainer_views.poll_create, name="create"),
    path("polls/mine/", views.MyPollListView.as_view(), name="mine"),
    path("polls/<slug:slug>/", views.poll_detail, name="detail"),
    path("polls/<slug:slug>/vote/", views.vote, name="vote"),
    path("polls/<slug:slug>/results/", views.poll_results_fragment, name="results"),
    path("polls/<slug:slug>/results.csv", views.poll_export, name="export"),
    path("polls/<slug:slug>/edit/", trainer_views.poll_edit, name="edit"),
    path("polls/<slug:slug>/close/", trainer_views.poll_close, name="close"),
    # The workshop room (polls/present_views.py).
    path("polls/<slug:slug>/present/", present_views.poll_present, name="present"),
    path("polls/<slug:slug>/present/live/", present_views.poll_present_live, name="present_live"),
    path("polls/<slug:slug>/reveal/", present_views.poll_reveal, name="reveal"),
    # Join, share and embed (polls/share_views.py).
    path("j/", share_views.join_form, name="join_form"),
    path("j/<str:code>", share_views.join, name="join"),
    path("j/<str:code>/", share_views.join),
    path("polls/<slug:slug>/qr.svg", share_views.qr_svg, name="qr_svg"),
    path("polls/<slug:slug>/qr.png", share_views.qr_png_download, name="qr_png"),
    path("polls/<slug:slug>/reopen/", trainer_views.poll_reopen, name="reopen"),
    path("polls/<slug:slug>/duplicate/", trainer_views.poll_duplicate, name="duplicate"),
    path("polls/<slug:slug>/delete/", trainer_views.poll_delete, name="delete"),
    path("polls/<slug:slug>/vote-again/", trainer_views.poll_vote_again, name="vote_again"),
    path("polls/<slug:slug>/embed/", embed.poll_embed, name="embed"),
    path("polls/<slug:slug>/embed/vote/", embed.embed_vote, name="embed_vote"),
]
