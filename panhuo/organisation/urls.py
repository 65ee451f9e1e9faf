from django.contrib.auth import views as auth_views
from django.urls import path

from panhuo.organisation import admin_views, calendar_views, password, views

urlpatterns = [
    path(
        "login/",
        views.SignInView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", password.PasswordChangeView.as_view(), name="password-change"),
    path("language/", views.set_language, name="set-language"),
    path("me/", views.me, name="me"),
    path("jurisdictions/<int:pk>/", views.jurisdiction_detail, name="jurisdiction-detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    # The site administrator's pages (admin_views.py).
    path(
        "organisation/jurisdictions/",
        admin_views.jurisdiction_list_view,
        name="admin-jurisdiction-list",
    ),
    path(
        "organisation/jurisdictions/new/",
        admin_views.jurisdiction_create_view,
        name="admin-jurisdiction-create",
    ),
    path(
        "organisation/jurisdictions/<int:pk>/edit/",
        admin_views.jurisdiction_edit_view,
        name="admin-jurisdiction-edit",
    ),
    path("organisation/units/", admin_views.unit_list_view, name="admin-unit-list"),
    path("organisation/units/new/", admin_views.unit_create_view, name="admin-unit-create"),
    path("organisation/units/<int:pk>/edit/", admin_views.unit_edit_view, name="admin-unit-edit"),
    path("organisation/users/", admin_views.user_list_view, name="admin-user-list"),
    path("organisation/users/new/", admin_views.user_create_view, name="admin-user-create"),
    path("organisation/users/<int:pk>/", admin_views.user_detail_view, name="admin-user-detail"),
    path(
        "organisation/users/<int:pk>/deactivate/",
        admin_views.user_deactivate_view,
        name="admin-user-deactivate",
    ),
    path(
        "organisation/users/<int:pk>/password-reset/",
        admin_views.user_password_reset_view,
        name="admin-user-password-reset",
    ),
    path(
        "organisation/users/<int:pk>/roles/",
        admin_views.role_assign_view,
        name="admin-role-assign",
    ),
    path(
        "organisation/users/<int:pk>/roles/<int:assignment_pk>/end/",
        admin_views.role_end_view,
        name="admin-role-end",
    ),
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
