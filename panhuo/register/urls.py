from django.urls import path

from panhuo.register import import_views, views

urlpatterns = [
    path("", views.asset_list_view, name="asset-list"),
    path("export.csv", views.asset_export, name="asset-export"),
    path("export.xlsx", views.asset_export_xlsx, name="asset-export-xlsx"),
    path("new/", views.asset_create_view, name="asset-create"),
    path("<int:pk>/", views.asset_detail, name="asset-detail"),
    path("<int:pk>/edit/", views.asset_edit, name="asset-edit"),
    path("<int:pk>/encumbrances/", views.encumbrance_add_view, name="asset-encumbrance-add"),
    path(
        "<int:pk>/encumbrances/<int:encumbrance_pk>/remove/",
        views.encumbrance_remove_view,
        name="asset-encumbrance-remove",
    ),
    # Bulk import: upload → run (queued for the worker) → progress → report.
    path("import/", import_views.asset_import_view, name="asset-import"),
    path("import/debts/", import_views.debt_import_view, name="debt-import"),
    path("import/runs/", import_views.import_run_list_view, name="import-run-list"),
    path("import/runs/<int:pk>/", import_views.import_run_detail, name="import-run-detail"),
    path(
        "import/runs/<int:pk>/progress.json",
        import_views.import_run_progress,
        name="import-run-progress",
    ),
    path(
        "import/runs/<int:pk>/cancel/",
        import_views.import_run_cancel_view,
        name="import-run-cancel",
    ),
    path(
        "import/runs/<int:pk>/rerun/",
        import_views.import_run_rerun_view,
        name="import-run-rerun",
    ),
    path(
        "import/runs/<int:pk>/commit/",
        import_views.import_run_commit_view,
        name="import-run-commit",
    ),
    path(
        "import/runs/<int:pk>/errors.csv", import_views.import_run_errors, name="import-run-errors"
    ),
    path("import/mappings/", import_views.mapping_list, name="import-mapping-list"),
    path("import/mappings/new/", import_views.mapping_edit, name="import-mapping-create"),
    path("import/mappings/<int:pk>/", import_views.mapping_edit, name="import-mapping-edit"),
    path(
        "import/mappings/<int:pk>/delete/",
        import_views.mapping_delete_view,
        name="import-mapping-delete",
    ),
]
