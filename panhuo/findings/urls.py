"""Pages of the auditor's workspace (mounted at /findings/)."""

from panhuo.core.routes import record_pages
from panhuo.findings import flag_views, views

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
    *record_pages(
        "flags/",
        "flag",
        pages={"queue": flag_views.flag_queue_view},
        detail=flag_views.flag_detail_view,
        actions={"resolve": flag_views.flag_resolve_view},
    ),
]
