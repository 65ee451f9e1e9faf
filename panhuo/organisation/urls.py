from django.contrib.auth import views as auth_views
from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.organisation import calendar_views, views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("me/", views.me, name="me"),
    *record_pages("jurisdictions/", "jurisdiction", detail=views.jurisdiction_detail),
    *record_pages("units/", "unit", detail=views.unit_detail),
    path("calendar/", calendar_views.calendar_view, name="calendar"),
    *record_pages(
        "calendar/days/",
        "calendar-day",
        actions={"delete": calendar_views.calendar_day_delete_view},
    ),
    *record_pages(
        "calendar/notices/",
        "calendar-notice",
        actions={"delete": calendar_views.calendar_notice_delete_view},
    ),
]
