"""The pages of every app. The root URLconf mounts this at "/"."""

from django.urls import include, path

from panhuo.core import saved_filters
from panhuo.core.routes import record_pages
from panhuo.site import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("panhuo.organisation.urls")),
    path("organisation/import/", include("panhuo.register.org_import_urls")),
    path("assets/", include("panhuo.register.urls")),
    path("scope/", include("panhuo.register.scope_urls")),
    *record_pages(
        "filters/",
        "saved-filter",
        pages={"save": saved_filters.saved_filter_save_view},
        actions={"delete": saved_filters.saved_filter_delete_view},
    ),
    path("", include("panhuo.disposal.urls")),
    path("", include("panhuo.finance.urls")),
    path("approvals/", include("panhuo.approvals.urls")),
    path("", include("panhuo.pricing.urls")),
    path("audit/", include("panhuo.integrity.urls")),
    path("documents/", include("panhuo.integrity.document_urls")),
    path("monitor/", include("panhuo.monitor.urls")),
    path("bidders/", include("panhuo.bidders.urls")),
    path("auctions/", include("panhuo.auctions.urls")),
    path("public/", include("panhuo.portal.urls")),
]
