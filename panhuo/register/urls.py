from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.register import import_mapping_views, import_views, views, views_codes

urlpatterns = [
    *record_pages(
        "",
        "asset",
        list=views.asset_list_view,
        export=views.asset_export,
        create=views.asset_create_view,
        pages={"map": views.asset_map},
        detail=views.asset_detail,
        edit=views.asset_edit,
    ),
    path("export.xlsx", views.asset_export_xlsx, name="asset-export-xlsx"),
    path("classification/", views_codes.classification_list, name="classification-list"),
    path("<int:pk>/encumbrances/", views.encumbrance_add_view, name="asset-encumbrance-add"),
    path(
        "<int:pk>/encumbrances/<int:encumbrance_pk>/remove/",
        views.encumbrance_remove_view,
        name="asset-encumbrance-remove",
    ),
    # Bulk import: upload → run (queued for the worker) → progress → report.
    path("import/", import_views.asset_import_view, name="asset-import"),
    path("import/debts/", import_views.debt_import_view, name="debt-import"),
    *record_pages(
        "import/runs/",
        "import-run",
        list=import_views.import_run_list_view,
        detail=import_views.import_run_detail,
        actions={
            "cancel": import_views.import_run_cancel_view,
            "rerun": import_views.import_run_rerun_view,
            "commit": import_views.import_run_commit_view,
        },
    ),
    path(
        "import/runs/<int:pk>/progress.json",
        import_views.import_run_progress,
        name="import-run-progress",
    ),
    path(
        "import/runs/<int:pk>/errors.csv", import_views.import_run_errors, name="import-run-errors"
    ),
    *record_pages(
        "import/mappings/",
        "import-mapping",
        list=import_mapping_views.mapping_list,
        create=import_mapping_views.mapping_edit,
        actions={"delete": import_mapping_views.mapping_delete_view},
    ),
    # A mapping's page is its edit form.
    path(
        "import/mappings/<int:pk>/", import_mapping_views.mapping_edit, name="import-mapping-edit"
    ),
    # The debt importers' own mappings (finance), on the same pages.
    *record_pages(
        "import/debts/mappings/",
        "debt-import-mapping",
        list=import_mapping_views.debt_mapping_list,
        create=import_mapping_views.debt_mapping_edit,
        actions={"delete": import_mapping_views.debt_mapping_delete_view},
    ),
    path(
        "import/debts/mappings/<int:pk>/",
        import_mapping_views.debt_mapping_edit,
        name="debt-import-mapping-edit",
    ),
]
