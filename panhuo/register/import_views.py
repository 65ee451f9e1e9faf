"""Import pages: upload a register file, follow its run, read its report (saved mappings:
import_mapping_views.py).

The upload is stored and queued (imports.import_run_create); a worker runs it. The run page
shows live progress: our script polls ``import-run-progress``; without script the page reloads
itself until the run has finished. Runs and mappings are their owner's alone: anyone else
gets a 404, as if they did not exist.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import button_write, csv_response, form_write, section_required
from panhuo.organisation import policy
from panhuo.register import import_liveness, import_mappings, imports
from panhuo.register.import_forms import (
    ImportForm,
    ImportRunFilterForm,
    field_label,
)
from panhuo.register.import_models import ImportRun
from panhuo.register.importing.report import shown_error
from panhuo.register.selectors import IMPORT_ORDERINGS, import_run_list

importer_required = section_required("asset", "create")


#: The pages of each import's saved mappings (URL names), and the import they serve.
MAPPING_PAGES = {
    "assets": {
        "list": "import-mapping-list", "create": "import-mapping-create",
        "edit": "import-mapping-edit", "delete": "import-mapping-delete",
        "upload": "asset-import", "home": "asset-list", "title": _l("Assets"),
    },
    "debts": {
        "list": "debt-import-mapping-list", "create": "debt-import-mapping-create",
        "edit": "debt-import-mapping-edit", "delete": "debt-import-mapping-delete",
        "upload": "debt-import", "home": "debt-list", "title": _l("Debts"),
    },
    "fiscal": {
        "list": "fiscal-import-mapping-list", "create": "fiscal-import-mapping-create",
        "edit": "fiscal-import-mapping-edit", "delete": "fiscal-import-mapping-delete",
        "upload": "fiscal-import", "home": "risk-indicators", "title": _l("Fiscal figures"),
    },
    **{target: {
        "list": f"{one}-import-mapping-list", "create": f"{one}-import-mapping-create",
        "edit": f"{one}-import-mapping-edit", "delete": f"{one}-import-mapping-delete",
        "upload": f"{one}-import", "home": f"admin-{one}-list", "title": title,
    } for target, one, title in (("units", "unit", _l("Holding units")),
                                 ("users", "user", _l("Users")))},
}  # fmt: skip


def run_required(view):
    """A run's pages: asset importers (their runs), or whoever may run another import (debts,
    units, users) for their own runs of it; anyone else is refused as from the import
    section."""

    @wraps(view)
    @login_required
    def wrapped(request, pk, *args, **kwargs):
        user = request.user
        own = ImportRun.objects.filter(pk=pk, owner=user).exclude(target="assets")
        target = own.values_list("target", flat=True).first()
        if not policy.can_any(user, "asset", "create") and not (
            target in import_mappings.MAPPING_PERMISSION
            and policy.can_any(user, *import_mappings.MAPPING_PERMISSION[target])
        ):
            raise PermissionDenied(_("Your roles do not give access to this page."))
        return view(request, pk, *args, **kwargs)

    return wrapped


def _own_run(request, pk) -> ImportRun:
    run = ImportRun.objects.filter(owner=request.user, pk=pk).first()
    if run is None:
        raise Http404(_("No such import run, or it is not yours."))
    return run


def upload_page(request, target: str, template: str):
    """The upload page of an import (``target``): the file is checked and queued; the page
    lists the user's recent imports of the same target."""
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=request.user,
        target=target,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        run = form_write(
            request, form,
            lambda: imports.import_run_create(
                actor=request.user, upload=data["file"], filename=data["file"].name,
                mapping_name=data["mapping"], commit=data["run"] == "commit",
                valid_only=data["mode"] == "valid", target=target,
            ),
            lambda r: _("File %(name)s received; import #%(id)s is queued.")
            % {"name": r.file_name, "id": r.pk},
        )  # fmt: skip
        if run is not None:
            return redirect(run)
    recent = ImportRun.objects.filter(owner=request.user, target=target)[:5]
    return render(request, template, {"form": form, "recent": recent, "target": target})


def _report(key: str):
    return lambda run: (run.report or {}).get(key)


def _mode(run) -> str:
    return str(_l("import") if run.commit else _l("dry run"))


class ImportRunList(ObjectList):
    """The reader's own imports; a run whose worker stopped reads as failed."""

    target, resource, action, url_name = "imports", "asset", "create", "import-run-list"
    template, filter_form = "register/import_run_list.html", ImportRunFilterForm
    rows, orderings, default_sort = import_run_list, IMPORT_ORDERINGS, "-created_at"
    columns = [
        Column("id", "#", "pk"),
        Column("file", _l("File"), "file_name"),
        Column("mode", _l("Mode"), _mode),
        Column("status", _l("Status"), "get_status_display"),
        Column("rows", _l("Rows"), "rows_done", numeric=True),
        Column("new", _l("New"), _report("new"), numeric=True),
        Column("updated", _l("Updated"), _report("updated"), numeric=True),
        Column(
            "unchanged", _l("Unchanged"), lambda r: (r.report or {}).get("unchanged"), numeric=True
        ),
        Column(
            "rejected", _l("Rejected"), lambda r: (r.report or {}).get("rejected"), numeric=True
        ),
        Column("created_at", _l("Started")),
    ]

    def get_queryset(self, filters: dict):
        imports.fail_stale_runs(owner=self.user)
        return super().get_queryset(filters)


import_run_list_view = ImportRunList.as_view()


def _outcome(run: ImportRun, report: dict) -> tuple[str, str]:
    """A sentence saying what happened, and its tone (ok, warn, bad, info)."""
    rejected = report.get("rejected", 0)
    if run.status == ImportRun.Status.QUEUED:
        return _("Waiting for the worker to start this import."), "info"
    if run.status == ImportRun.Status.RUNNING:
        return _("Reading and checking the rows…"), "info"
    if run.status == ImportRun.Status.CANCELLED:
        return _("Cancelled. Nothing was written."), "warn"
    if imports.undoing(run):
        return run.shown_message, "warn"
    if run.status == ImportRun.Status.FAILED and (
        run.message_code == "worker_stopped" or run.message.startswith("The worker stopped")
    ):
        return (
            _("The worker stopped while importing; nothing was written. Run the import again."),
            "bad",
        )
    if run.status == ImportRun.Status.FAILED:
        return run.shown_message or _("The import failed. Nothing was written."), "bad"
    if not report:
        return run.shown_message or _("The file was rejected. Nothing was written."), "bad"
    if not run.commit:
        if rejected:
            return (
                _("Dry run: %(n)s row(s) would be rejected. Nothing was written.")
                % {"n": rejected},
                "warn",
            )
        return _("Dry run: every row is valid. Nothing was written."), "ok"
    if report.get("committed"):
        if rejected:
            return (
                _("The valid rows were written; %(n)s row(s) were rejected.") % {"n": rejected},
                "warn",
            )
        return _("Imported. Every row was written."), "ok"
    return (
        _("Nothing was written: %(n)s row(s) were rejected (all or nothing).") % {"n": rejected},
        "bad",
    )


@run_required
def import_run_detail(request, pk):
    run = _own_run(request, pk)
    progress = imports.import_progress(run)
    report = run.report or {}
    outcome, tone = _outcome(run, report)
    done_bytes = progress["bytes"] or 0
    percent = 100 if run.finished else int(done_bytes * 100 / run.file_size) if run.file_size else 0
    can_commit = (
        not run.commit
        and run.finished
        and bool(report)
        and (report.get("rejected", 0) == 0 or run.valid_only)
        and report.get("rows", 0) > report.get("rejected", 0)
    )
    # A users import's one-time passwords: shown on this page once, then forgotten.
    secrets = import_liveness.take_secrets(run) if run.target == "users" and run.finished else {}
    response = render(
        request,
        "register/import_run_detail.html",
        {
            "secrets": sorted(secrets.items()),
            "pages": MAPPING_PAGES.get(run.target),
            "run": run,
            "progress": progress,
            "percent": min(percent, 100),
            "report": report,
            "outcome": outcome,
            "tone": tone,
            "errors": [shown_error(e) for e in report.get("errors", [])],
            "flags": [shown_error(e) for e in report.get("flags", [])],
            "columns": [
                (h, field_label(f, run.target)) for h, f in (report.get("columns") or {}).items()
            ],
            "can_commit": can_commit,
            "undoing": imports.undoing(run),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@run_required
def import_run_progress(request, pk):
    """The run's live progress as JSON, for the run page's script."""
    return JsonResponse(imports.import_progress(_own_run(request, pk)))


@require_POST
@run_required
def import_run_cancel_view(request, pk):
    run = _own_run(request, pk)
    button_write(
        request,
        lambda: imports.import_run_cancel(actor=request.user, run=run),
        _("Cancel requested: nothing this run read will be written."),
    )
    return redirect(run)


@require_POST
@run_required
def import_run_rerun_view(request, pk):
    """Queue a failed or cancelled import again (same stored file, mapping and mode)."""
    run = _own_run(request, pk)
    new = button_write(
        request,
        lambda: imports.import_run_rerun(actor=request.user, run=run),
        lambda new: _("Import #%(id)s is queued: the same file again.") % {"id": new.pk},
    )
    return redirect(run if new is None else new)


@require_POST
@run_required
def import_run_commit_view(request, pk):
    """Import for real the file a dry run checked, with the same mapping and mode."""
    run = _own_run(request, pk)
    if run.commit or not run.finished:
        messages.error(request, _("Only a finished dry run can be imported from here."))
        return redirect(run)
    path = imports.imports_dir() / run.stored_path
    if not path.exists():
        messages.error(request, _("The stored file is gone; upload it again."))
        return redirect(run)
    with path.open("rb") as stored:
        new = imports.import_run_create(
            actor=request.user,
            upload=stored,
            filename=run.file_name,
            mapping=run.mapping,
            commit=True,
            valid_only=run.valid_only,
            target=run.target,
        )
    messages.success(
        request, _("Import #%(id)s is queued: the same file, for real.") % {"id": new.pk}
    )
    return redirect(new)


@run_required
def import_run_errors(request, pk):
    """The rejected rows of a run as CSV (row, column, reason)."""
    run = _own_run(request, pk)
    errors = (run.report or {}).get("errors", [])
    shown = (shown_error(e) for e in errors)
    return csv_response(
        f"import-{run.pk}-errors.csv",
        [_("Row"), _("Column"), _("Reason")],
        ([e["row"], e["column"], e["message"]] for e in shown),
    )
