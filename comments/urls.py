from django.urls import path

from comments import alternative_views, debrief_views, feeds, review_views, views

app_name = "comments"

urlpatterns = [
    path("polls/<slug:slug>/comments/", views.comment_post, name="post"),
    path("polls/<slug:slug>/comments/rss/", feeds.PollCommentsRssFeed(), name="feed_rss"),
    path("polls/<slug:slug>/comments/atom/", feeds.PollCommentsAtomFeed(), name="feed_atom"),
    path(
        "polls/<slug:slug>/debrief.md",
        debrief_views.poll_debrief_download,
        {"fmt": "md"},
        name="debrief_md",
    ),
    path(
        "polls/<slug:slug>/debrief.csv",
        debrief_views.poll_debrief_download,
        {"fmt": "csv"},
        name="debrief_csv",
    ),
    path("comments/<int:pk>/", views.comment_permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.comment_reply_form, name="reply_form"),
    path("comments/<int:pk>/report/", views.comment_report, name="report"),
    path("comments/<int:pk>/review/", review_views.comment_review, name="review"),
    path("comments/<int:pk>/restore/", views.comment_restore, name="restore"),
    path("polls/<slug:slug>/definitions/", alternative_views.definition_post, name="definition"),
    path("comments/<int:pk>/agree/", alternative_views.agreement, name="agree"),
    path("comments/<int:pk>/promote/", alternative_views.promote, name="promote"),
    path("comments/<int:pk>/promote/undo/", alternative_views.promotion_undo, name="unpromote"),
    path("comments/unsubscribe/<str:token>/", views.comment_unsubscribe, name="unsubscribe"),
]
