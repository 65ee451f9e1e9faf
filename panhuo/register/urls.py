from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.core.ui import section_required
from panhuo.register import import_views, views, views_codes
from panhuo.register.import_routes import import_routes
from panhuo.register.import_views import importer_required

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
    # Bulk import: upload → run (queued for the worker) → progress → report; the debt
    # importers' (finance) upload and mappings on the same pages.
    *import_routes("import/", "assets", importer_required),
    *import_routes(
        "import/debts/", "debts", section_required("debt", "edit"), "register/debt_import_form.html"
    ),
    # A place's published fiscal panels (finance's "fiscal" target).
    *import_routes(
        "import/fiscal/",
        "fiscal",
        section_required("debt", "edit"),
        "register/fiscal_import_form.html",
    ),
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
]
