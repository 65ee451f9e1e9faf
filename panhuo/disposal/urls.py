from django.urls import path

from panhuo.disposal import views

urlpatterns = [
    path("packages/", views.package_list_view, name="package-list"),
    path("packages/new/", views.package_create_view, name="package-create"),
    path("packages/suggestions/", views.package_suggestions_view, name="package-suggestions"),
    path(
        "packages/suggestions/create/",
        views.package_from_suggestion_view,
        name="package-from-suggestion",
    ),
    path("packages/<int:pk>/", views.package_detail, name="package-detail"),
    path("packages/<int:pk>/assets/", views.package_add_assets_view, name="package-add-assets"),
    path(
        "packages/<int:pk>/assets/<int:asset_pk>/remove/",
        views.package_remove_asset_view,
        name="package-remove-asset",
    ),
    path(
        "packages/<int:package_pk>/projects/new/",
        views.project_create_view,
        name="project-create",
    ),
    path("projects/", views.project_list_view, name="project-list"),
    path("projects/board/", views.board_view, name="project-board"),
    path("projects/overdue/", views.overdue_view, name="project-overdue"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path(
        "projects/<int:pk>/price-exception/",
        views.project_price_exception_view,
        name="project-price-exception",
    ),
    path(
        "projects/<int:pk>/transitions/<slug:name>/",
        views.project_transition_view,
        name="project-transition",
    ),
]
