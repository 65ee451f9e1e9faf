"""Pages of red flags."""

from panhuo.core.routes import record_pages
from panhuo.flags import views

urlpatterns = [
    *record_pages(
        "",
        "flag",
        list=views.flag_list_view,
        pages={"thresholds": views.flag_thresholds_view},
        detail=views.flag_detail,
        actions={"resolve": views.flag_resolve_view},
    ),
]
