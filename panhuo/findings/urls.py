"""Pages of the auditor's workspace (mounted at /findings/)."""

from panhuo.core.routes import record_pages
from panhuo.findings import views

urlpatterns = [
    *record_pages(
        "",
        "finding",
        list=views.finding_list_view,
        create=views.finding_create_view,
        pages={"stats": views.finding_stats_view},
        detail=views.finding_detail,
        actions={"step": views.finding_step_view, "comment": views.finding_comment_view},
    ),
]
