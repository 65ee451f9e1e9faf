from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.monitor import views

urlpatterns = [
    path("", views.monitor_view, name="monitor"),
    *record_pages("", "monitor", pages={"thresholds": views.thresholds_view}),
    *record_pages(
        "revenue/",
        "revenue",
        list=views.revenue_list_view,
        pages={"set": views.revenue_set_view, "import": views.revenue_import_view},
    ),
]
