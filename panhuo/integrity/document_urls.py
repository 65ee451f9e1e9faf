from django.urls import path

from panhuo.integrity import document_views as views

urlpatterns = [
    path("", views.document_list_view, name="document-list"),
    path("<int:pk>/", views.document_detail_view, name="document-detail"),
    path("<int:pk>/download/", views.document_download_view, name="document-download"),
    path(
        "upload/<str:target_type>/<int:target_id>/",
        views.document_upload_view,
        name="document-upload",
    ),
]
