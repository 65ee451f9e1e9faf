"""Import pages: upload a register file, follow its run, read its report; saved mappings.

The upload is stored and queued (imports.import_run_create); a worker runs it. The run page
shows live progress: our script polls ``import-run-progress``; without script the page reloads
itself until the run has finished. Runs and mappings are their owner's alone: anyone else
gets a 404, as if they did not exist.
"""

from __future__ import annotations

from functools import wraps
from itertools import islice

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
from panhuo.register import imports
from panhuo.register.import_forms import (
    BOOL_CHOICES,
    ImportForm,
    ImportRunFilterForm,
    MappingForm,
    field_label,
    value_fields,
)
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.importing.engine import target_for
from panhuo.register.importing.fields import FIELD_NAMES
from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.importing.report import shown_error
from panhuo.register.importing.values import FALSE_WORDS, TRUE_WORDS
from panhuo.register.selectors import IMPORT_ORDERINGS, import_run_list

#: Rows of a sample file read to find the words its choice columns use.
SAMPLE_ROWS = 5000
#: Characters of a sample file kept at most (the rows read stop there).
SAMPLE_CHARS = 4_000_000
#: Distinct unknown words offered per choice field.
SAMPLE_WORDS = 40

importer_required = section_required("asset", "create")


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
            target in imports.MAPPING_PERMISSION
            and policy.can_any(user, *imports.MAPPING_PERMISSION[target])
        ):
            raise PermissionDenied(_("Your roles do not give access to this page."))
        return view(request, pk, *args, **kwargs)

    return wrapped


def _own_run(request, pk) -> ImportRun:
    run = ImportRun.objects.filter(owner=request.user, pk=pk).first()
    if run is None:
        raise Http404(_("No such import run, or it is not yours."))
    return run


def _own_mapping(request, pk, target: str = "assets") -> ImportMapping:
    mapping = ImportMapping.objects.filter(owner=request.user, target=target, pk=pk).first()
    if mapping is None:
        raise Http404(_("No such mapping, or it is not yours."))
    return mapping


def _upload(request, target: str, template: str):
    """The upload page of an import (assets or debts): the file is checked and queued; the
    page lists the user's recent imports of the same target."""
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


@importer_required
def asset_import_view(request):
    return _upload(request, "assets", "register/import_form.html")


@section_required("debt", "edit")
def debt_import_view(request):
    """Upload a debt file: the asset import's form, rows checked against the jurisdictions
    whose debts the user may edit."""
    return _upload(request, "debts", "register/debt_import_form.html")


@section_required("debt", "edit")
def fiscal_import_view(request):
    """Upload a place's published fiscal panel (one row per jurisdiction and year): the same
    form, rows checked against the jurisdictions whose debts the user may edit."""
    return _upload(request, "fiscal", "register/fiscal_import_form.html")


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
    secrets = imports.take_secrets(run) if run.target == "users" and run.finished else {}
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


# --- saved mappings ---------------------------------------------------------------------------


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


def _mapping_context(target: str, **more) -> dict:
    return {"pages": MAPPING_PAGES[target], "target": target, **more}


def _mapping_delete(request, pk, target: str):
    mapping = _own_mapping(request, pk, target)
    imports.mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("Mapping “%(name)s” deleted.") % {"name": mapping.name})
    return redirect(MAPPING_PAGES[target]["list"])


def _mapping_list(request, target: str):
    mappings = ImportMapping.objects.filter(owner=request.user, target=target)
    return render(
        request, "register/import_mapping_list.html", _mapping_context(target, mappings=mappings)
    )


def _initial_from(mapping: ImportMapping) -> tuple[list[str], dict, dict]:
    # JSON objects keep no order on PostgreSQL (jsonb): show the columns in the fields' order.
    names = FIELD_NAMES if mapping.target == "assets" else target_for(mapping.target).field_names
    order = {name: i for i, name in enumerate(names)}
    headers = sorted(mapping.columns, key=lambda h: (order.get(mapping.columns[h], 10**6), h))
    values = {
        f: list((mapping.values or {}).get(f, {}).items()) for f in value_fields(mapping.target)
    }
    initial = {"name": mapping.name, **MappingForm.initial_options(mapping.options)}
    initial.update({f"col_{i}": mapping.columns[h] for i, h in enumerate(headers)})
    return headers, values, initial


def _mapping_edit(request, pk, target: str):
    mapping = _own_mapping(request, pk, target) if pk is not None else None
    context = _mapping_context(target, mapping=mapping, sample=None)
    if request.method != "POST":
        if mapping is not None:
            headers, values, initial = _initial_from(mapping)
            form = MappingForm(headers=headers, values=values, initial=initial, target=target,
                               constants=mapping.constants)  # fmt: skip
        else:
            form = MappingForm(headers=[], target=target)
        return render(request, "register/import_mapping_form.html", {**context, "form": form})
    form = MappingForm(request.POST, request.FILES, target=target)
    if request.POST.get("action") == "read":
        form, sample = _read_sample(form, request.FILES.get("sample"))
        return render(
            request,
            "register/import_mapping_form.html",
            {**context, "form": form, "sample": sample},
        )
    if form.is_valid():
        name = form.cleaned_data["name"].strip()
        if not name:
            form.add_error("name", _("The mapping needs a name."))
        else:
            columns, values, options = form.mapping_parts()
            saved = form_write(
                request,
                form,
                lambda: imports.mapping_save(
                    actor=request.user, name=name, columns=columns, values=values,
                    options=options, target=target, constants=form.mapping_constants(),
                ),
                lambda saved: _("Mapping “%(name)s” saved.") % {"name": saved.name},
            )  # fmt: skip
            if saved is not None:
                return redirect(MAPPING_PAGES[target]["list"])
    return render(request, "register/import_mapping_form.html", {**context, "form": form})


def _mapping_pages(target: str, required):
    """The list, edit and delete views of ``target``'s mappings, behind ``required``."""

    def listing(request):
        return _mapping_list(request, target)

    def edit(request, pk=None):
        return _mapping_edit(request, pk, target)

    def delete(request, pk):
        return _mapping_delete(request, pk, target)

    return required(listing), required(edit), require_POST(required(delete))


# The pages: the asset importers' mappings, and the debt importers' (finance).
mapping_list, mapping_edit, mapping_delete_view = _mapping_pages("assets", importer_required)
debt_mapping_list, debt_mapping_edit, debt_mapping_delete_view = _mapping_pages(
    "debts", section_required("debt", "edit")
)
fiscal_mapping_list, fiscal_mapping_edit, fiscal_mapping_delete_view = _mapping_pages(
    "fiscal", section_required("debt", "edit")
)


def _sample_rows(rows) -> list[list[str]]:
    """The sample's first rows, up to SAMPLE_ROWS or SAMPLE_CHARS characters in all: a wide
    sample of long cells (each within the import's limits) must not fill the web process."""
    kept, chars = [], 0
    for row in islice(rows, SAMPLE_ROWS):
        kept.append(row)
        chars += sum(map(len, row))
        if chars > SAMPLE_CHARS:
            break
    return kept


def _read_sample(form: MappingForm, sample):
    """The form again, with the sample's headers as its columns (keeping the choices already
    made for headers it had), and the sample's unknown words under each choice field."""
    form.is_valid()
    if sample is None:
        form.add_error("sample", _("Choose a sample file to read its headers."))
        return form, None
    opts = {n: form.cleaned_data.get(n) or None for n in ("sheet", "encoding", "delimiter")}
    if opts["delimiter"] == "tab":
        opts["delimiter"] = "\t"
    try:
        table = read_table(sample, filename=sample.name, **opts)
        rows = _sample_rows(table.rows)
    except FileRejected as exc:
        form.add_error("sample", str(exc))
        return form, None
    headers = table.headers
    previous = {h: form.data.get(f"col_{i}", "") for i, h in enumerate(form.header_list)}
    auto = target_for(form.target).auto_columns(headers)
    columns = {h: previous[h] if h in previous else auto.get(h, "") for h in headers}
    values = _sample_words(form, headers, columns, rows)
    initial = {n: form.data.get(n, "") for n in ("name", *MappingForm.option_names)}
    initial.update({f"col_{i}": columns[h] for i, h in enumerate(headers)})
    constants = {form.data.get(f): (form.data.get(v) or "").strip()
                 for f, v in form.constant_names if form.data.get(f)}  # fmt: skip
    new_form = MappingForm(headers=headers, values=values, initial=initial, target=form.target,
                           constants=constants)  # fmt: skip
    info = {
        "name": sample.name,
        "kind": table.kind,
        "encoding": table.encoding,
        "delimiter": {"\t": _("tab")}.get(table.delimiter, table.delimiter),
        "sheet": table.sheet,
        "sheets": table.sheets,
        "columns": len(headers),
        "matched": sum(1 for f in columns.values() if f),
        "rows": len(rows),
    }
    return new_form, info


def _sample_words(form: MappingForm, headers, columns, rows) -> dict[str, list[tuple[str, str]]]:
    """Value rows per choice field: those already typed, then the sample's words that the
    import would not understand by itself."""
    values: dict[str, list[tuple[str, str]]] = {}
    # Words every file of the target is read with (一般债券 for a general bond) need no row.
    common = target_for(form.target).words
    for field, options in form.value_choices.items():
        kept = [
            (form.data.get(s, "").strip(), form.data.get(d, ""))
            for s, d in form.value_names[field]
            if form.data.get(s, "").strip()
        ]
        known = {str(c).lower() for c, _label in options}
        known |= {str(label).lower() for _c, label in options}
        known |= {w.lower() for w in common.get(field, {})}
        known |= {w.lower() for w, _d in kept}
        if options == BOOL_CHOICES:  # a yes/no field: the words parse_bool reads need no row
            known |= TRUE_WORDS | FALSE_WORDS
        found: list[str] = []
        for i, h in enumerate(headers):
            if columns.get(h) != field:
                continue
            for row in rows:
                word = row[i].strip() if i < len(row) else ""
                if word and word.lower() not in known:
                    known.add(word.lower())
                    found.append(word)
                    if len(found) >= SAMPLE_WORDS:
                        break
        values[field] = kept + [(w, "") for w in found]
    return values
