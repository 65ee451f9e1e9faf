from django.contrib.auth import views as auth_views
from django.urls import path

from panhuo.organisation import views

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
]
