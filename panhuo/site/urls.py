"""The pages of every app. The root URLconf mounts this at "/"."""

from django.urls import include, path

from panhuo.core import saved_filters
from panhuo.core.routes import record_pages
from panhuo.site import views

#: Where each app's URLconf (a module under ``panhuo``) is mounted, in the order tried.
MOUNTS = [
    ("", "organisation.urls"),
    ("organisation/import/", "register.org_import_urls"),
    ("assets/", "register.urls"),
    ("", "decisions.urls"),
    ("scope/", "register.scope_urls"),
    ("", "disposal.urls"),
    ("", "finance.urls"),
    ("approvals/", "approvals.urls"),
    ("", "pricing.urls"),
    ("audit/", "integrity.urls"),
    ("documents/", "integrity.document_urls"),
    ("monitor/", "monitor.urls"),
    ("bidders/", "bidders.urls"),
    ("auctions/", "auctions.urls"),
    ("flags/", "flags.urls"),
    ("findings/", "findings.urls"),
    ("public/", "portal.urls"),
    ("open-data/", "opendata.urls"),
    ("plans/", "planning.urls"),
    ("scorecards/", "scorecards.urls"),
    ("reports/", "reports.urls"),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *record_pages(
        "filters/",
        "saved-filter",
        pages={"save": saved_filters.saved_filter_save_view},
        actions={"delete": saved_filters.saved_filter_delete_view},
    ),
    *(path(prefix, include(f"panhuo.{urlconf}")) for prefix, urlconf in MOUNTS),
]
