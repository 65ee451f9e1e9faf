from django.contrib.auth import views as auth_views
from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.organisation import admin_views, calendar_views, password, taskforce_views, views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", password.PasswordChangeView.as_view(), name="password-change"),
    path("language/", views.set_language, name="set-language"),
    path("money-unit/", views.set_money_unit, name="set-money-unit"),
    path("me/", views.me, name="me"),
    *record_pages("jurisdictions/", "jurisdiction", detail=views.jurisdiction_detail),
    *record_pages("units/", "unit", detail=views.unit_detail),
    # The site administrator's pages (admin_views.py).
    *record_pages(
        "organisation/jurisdictions/",
        "admin-jurisdiction",
        list=admin_views.jurisdiction_list_view,
        create=admin_views.jurisdiction_create_view,
        edit=admin_views.jurisdiction_edit_view,
    ),
    *record_pages(
        "organisation/units/",
        "admin-unit",
        list=admin_views.unit_list_view,
        create=admin_views.unit_create_view,
        edit=admin_views.unit_edit_view,
    ),
    *record_pages(
        "organisation/users/",
        "admin-user",
        list=admin_views.user_list_view,
        create=admin_views.user_create_view,
        detail=admin_views.user_detail_view,
        edit=admin_views.user_edit_view,
        actions={
            "deactivate": admin_views.user_deactivate_view,
            "reactivate": admin_views.user_reactivate_view,
            "password-reset": admin_views.user_password_reset_view,
            "roles": admin_views.role_assign_view,
        },
    ),
    path(
        "organisation/users/<int:pk>/roles/<int:assignment_pk>/end/",
        admin_views.role_end_view,
        name="admin-role-end",
    ),
    path("calendar/", calendar_views.calendar_view, name="calendar"),
    path("taskforce/", taskforce_views.taskforce_view, name="taskforce"),
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
