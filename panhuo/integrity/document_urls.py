from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.integrity import document_views as views

urlpatterns = [
    *record_pages(
        "",
        "document",
        list=views.document_list_view,
        detail=views.document_detail_view,
        actions={"download": views.document_download_view},
    ),
    path(
        "upload/<str:target_type>/<int:target_id>/",
        views.document_upload_view,
        name="document-upload",
    ),
]
