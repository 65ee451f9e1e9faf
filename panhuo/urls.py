"""URL map: the UI pages of each app, the JSON API under /api/v1/, and health."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import include, path

from panhuo.api import api
from panhuo.core.url_memo import remembering


def healthz(request):
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; the icon is a static file (looked
    up per request: the manifest of hashed names exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("panhuo/favicon.svg"))


#: The error pages without the menu's to-do badges (site/errors.py).
handler403 = "panhuo.site.errors.forbidden"
handler404 = "panhuo.site.errors.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # The API's ~250 patterns are tried in order: each path's match is kept (core/url_memo.py).
    remembering(path("api/v1/", api.urls)),
    path("", include("panhuo.site.urls")),
]
