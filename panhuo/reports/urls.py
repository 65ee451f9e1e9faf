from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.reports import views

urlpatterns = [
    *record_pages(
        "",
        "report",
        list=views.report_list_view,
        create=views.report_create_view,
        detail=views.report_detail_view,
    ),
    path("<int:pk>/file.<str:fmt>", views.report_file_view, name="report-file"),
]
