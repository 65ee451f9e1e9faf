"""Portal pages (mounted at /public/)."""

from django.urls import path

from panhuo.portal import accountability_views, feeds, views

urlpatterns = [
    path("", views.notice_list, name="portal-notices"),
    path("notices/<str:code>/", views.notice_detail, name="portal-notice"),
    path("notices/<str:code>/documents/<int:doc_id>/", views.document, name="portal-document"),
    path("notices/<str:code>/correct/", views.notice_correct, name="portal-notice-correct"),
    path("announcements/", views.announcement_list, name="portal-announcements"),
    path("announcements/new/", views.announcement_create, name="portal-announcement-new"),
    path("announcements/<int:pk>/", views.announcement_detail, name="portal-announcement"),
    path(
        "accountability/",
        accountability_views.accountability_index,
        name="portal-accountability-index",
    ),
    path(
        "accountability/<str:code>/",
        accountability_views.accountability_page,
        name="portal-accountability",
    ),
    path("feed.atom", feeds.atom_feed, name="portal-feed-atom"),
    path("feed.json", feeds.json_feed, name="portal-feed-json"),
    path("language/", views.language, name="portal-language"),
]
