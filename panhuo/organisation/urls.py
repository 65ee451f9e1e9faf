from django.contrib.auth import views as auth_views
from django.urls import path

from panhuo.organisation import calendar_views, views

urlpatterns = [
    path(
        "login/",
        views.SignInView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("me/", views.me, name="me"),
    path("jurisdictions/<int:pk>/", views.jurisdiction_detail, name="jurisdiction-detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("calendar/", calendar_views.calendar_view, name="calendar"),
    path(
        "calendar/days/<int:pk>/delete/",
        calendar_views.calendar_day_delete_view,
        name="calendar-day-delete",
    ),
    path(
        "calendar/notices/<int:pk>/delete/",
        calendar_views.calendar_notice_delete_view,
        name="calendar-notice-delete",
    ),
]
