from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.disposal import views

urlpatterns = [
    *record_pages(
        "packages/",
        "package",
        list=views.package_list_view,
        create=views.package_create_view,
        pages={"suggestions": views.package_suggestions_view},
        detail=views.package_detail,
    ),
    path(
        "packages/suggestions/create/",
        views.package_from_suggestion_view,
        name="package-from-suggestion",
    ),
    path("packages/<int:pk>/assets/", views.package_add_assets_view, name="package-add-assets"),
    path(
        "packages/<int:pk>/assets/<int:asset_pk>/remove/",
        views.package_remove_asset_view,
        name="package-remove-asset",
    ),
    *record_pages(
        "packages/<int:package_pk>/projects/", "project", create=views.project_create_view
    ),
    *record_pages(
        "projects/",
        "project",
        list=views.project_list_view,
        pages={"board": views.board_view, "overdue": views.overdue_view},
        detail=views.project_detail,
        actions={"price-exception": views.project_price_exception_view},
    ),
    path(
        "projects/<int:pk>/transitions/<slug:name>/",
        views.project_transition_view,
        name="project-transition",
    ),
]
