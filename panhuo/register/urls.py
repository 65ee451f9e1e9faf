from django.urls import path

from panhuo.register import views

urlpatterns = [
    path("", views.asset_list_view, name="asset-list"),
    path("export.csv", views.asset_export, name="asset-export"),
    path("new/", views.asset_create_view, name="asset-create"),
    path("<int:pk>/", views.asset_detail, name="asset-detail"),
    path("<int:pk>/edit/", views.asset_edit, name="asset-edit"),
]
