"""URL map: the UI pages of each app, the JSON API under /api/v1/, and health."""

from django.http import JsonResponse
from django.urls import include, path

from panhuo.api import api


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("panhuo.site.urls")),
]
