"""The pages of every app. The root URLconf mounts this at "/"."""

from django.urls import include, path

from panhuo.core import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("panhuo.organisation.urls")),
    path("assets/", include("panhuo.register.urls")),
    path("", include("panhuo.disposal.urls")),
    path("", include("panhuo.finance.urls")),
    path("audit/", include("panhuo.integrity.urls")),
]
