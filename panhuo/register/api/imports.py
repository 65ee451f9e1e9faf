"""API: bulk imports of the register (and of debts, through the same engine) and their saved
column mappings.

Imports and mappings are the caller's own: anyone else's answers 404, like a record one may
not see.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.schemas import ERRORS, Id
from panhuo.register.import_mappings import (
    MAPPING_PERMISSION,
    mapping_delete,
    mapping_save,
    may_map,
)
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.import_schemas import (
    ImportForm,
    ImportRunDetailOut,
    ImportRunFilters,
    ImportRunOut,
    MappingBody,
    MappingIn,
    MappingOut,
    MappingPut,
    MappingTarget,
)
from panhuo.register.importing.readers import FileRejected, detect_kind
from panhuo.register.imports import (
    fail_if_stale,
    fail_stale_runs,
    import_run_cancel,
    import_run_create,
    import_run_rerun,
)
from panhuo.register.selectors import import_run_list

router = Router()


# --- Import mappings -----------------------------------------------------------------------------


def _own_mappings(request: HttpRequest):
    """The caller's mappings of the imports they may run (assets: asset importers; debts:
    whoever edits debts); a caller who may run neither is refused."""
    user = actor(request)
    targets = [t for t in MAPPING_PERMISSION if may_map(user, t)]
    if not targets:
        require_any(request, "asset", "create")  # refuses, naming what is missing
    return ImportMapping.objects.filter(owner=user, target__in=targets)


def _save_mapping(request: HttpRequest, name: str, body: MappingBody, target: str) -> ImportMapping:
    return mapping_save(
        actor=actor(request),
        name=name,
        columns=body.columns,
        values=body.values,
        options=body.options,
        target=target,
        constants=body.constants,
    )


@router.get("/import-mappings", response={200: list[MappingOut], **ERRORS}, tags=["imports"])
@paginate(PagePagination)
def mapping_index(request: HttpRequest, target: MappingTarget | None = None):
    """Your saved column mappings, by name: of every import you may run, or of ``target``."""
    mappings = _own_mappings(request)
    if target is not None:
        mappings = mappings.filter(target=target)
    return mappings.order_by("name", "pk")


@router.post(
    "/import-mappings", response={200: MappingOut, 201: MappingOut, **ERRORS}, tags=["imports"]
)
def mapping_new(request: HttpRequest, payload: MappingIn):
    """Save a mapping under a name: 201 when new, 200 when it replaces yours of that name."""
    existed = (
        _own_mappings(request).filter(name=payload.name.strip(), target=payload.target).exists()
    )
    mapping = _save_mapping(request, payload.name, payload, payload.target)
    return Status(200 if existed else 201, mapping)


@router.get("/import-mappings/{mapping_id}", response={200: MappingOut, **ERRORS}, tags=["imports"])
def mapping_detail(request: HttpRequest, mapping_id: Id):
    return _own_mappings(request).get(pk=mapping_id)


@router.put("/import-mappings/{mapping_id}", response={200: MappingOut, **ERRORS}, tags=["imports"])
def mapping_replace(request: HttpRequest, mapping_id: Id, payload: MappingPut):
    """Replace the mapping's columns, values and options (what is not sent becomes empty)."""
    mapping = _own_mappings(request).get(pk=mapping_id)
    if payload.name is not None and payload.name.strip() != mapping.name:
        raise ValidationError(
            {
                "name": [
                    _(
                        "A mapping cannot be renamed; save it under the new name (POST) and "
                        "delete this one."
                    )
                ]
            }
        )
    _save_mapping(request, mapping.name, payload, mapping.target)
    mapping.refresh_from_db()
    return mapping


@router.delete("/import-mappings/{mapping_id}", response={204: None, **ERRORS}, tags=["imports"])
def mapping_remove(request: HttpRequest, mapping_id: Id):
    mapping = _own_mappings(request).get(pk=mapping_id)
    mapping_delete(actor=actor(request), mapping=mapping)
    return Status(204, None)


# --- Import runs ---------------------------------------------------------------------------------


def _own_runs(request: HttpRequest):
    require_any(request, "asset", "create")
    return ImportRun.objects.filter(owner=actor(request))


def _mapping_from_text(text: str) -> dict:
    """A mapping sent as JSON text in the form; errors name ``mapping`` (and the key within)."""
    try:
        body = MappingBody.model_validate_json(text)
    except PydanticValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            loc = ".".join(str(p) for p in ("mapping", *error.get("loc", ())))
            errors.setdefault(loc, []).append(str(error.get("msg", "")))
        raise ValidationError(errors) from None
    return body.dict()


def _check_file_kind(upload: UploadedFile) -> None:
    """Refuse at once what is not CSV or XLSX (PDF, old .xls, images, archives, empty)."""
    head = upload.read(8192)
    upload.seek(0)
    try:
        detect_kind(head, upload.name or "")
    except FileRejected as exc:
        raise ValidationError({"file": [str(exc)]}) from None


@router.post("/imports", response={202: ImportRunDetailOut, **ERRORS}, tags=["imports"])
def import_new(request: HttpRequest, file: File[UploadedFile], details: Form[ImportForm]):
    """Upload a CSV or XLSX file of assets (multipart/form-data) and queue its import.

    A worker checks every row (and writes them when ``commit`` is true); follow it at
    ``GET /imports/{id}``. Without a mapping the headers are matched to fields automatically —
    an export's headers always are.
    """
    own = _own_runs(request)  # refuses callers who may not import anywhere
    return _queue(own, actor(request), file, details, "assets")


def _queue(own, user, file: UploadedFile, details: ImportForm, target: str):
    """Queue the import of ``file`` into ``target`` ("assets" or "debts") with the form's
    mapping and mode; 202 with the run, as one of ``own`` runs. A named asset mapping must
    exist (the debt import reads a missing name as none)."""
    if details.mapping_name and details.mapping:
        raise ValidationError({"mapping": [_("Give either mapping_name or mapping, not both.")]})
    mapping = _mapping_from_text(details.mapping) if details.mapping else None
    if (
        target == "assets"
        and details.mapping_name
        and not ImportMapping.objects.filter(
            owner=user, target="assets", name=details.mapping_name
        ).exists()
    ):
        raise ValidationError(
            {
                "mapping_name": [
                    _("You have no mapping named “%(mapping_name)s”.")
                    % {"mapping_name": details.mapping_name}
                ]
            }
        )
    _check_file_kind(file)
    run = import_run_create(
        actor=user,
        upload=file,
        filename=file.name or "upload",
        mapping=mapping,
        mapping_name=details.mapping_name,
        commit=details.commit,
        valid_only=details.valid_only,
        target=target,
    )
    return Status(202, own.get(pk=run.pk))


def _own_debt_runs(request: HttpRequest, target: str = "debts"):
    """The caller's runs of an import of whoever may edit debts (debts, fiscal panels)."""
    require_any(request, "debt", "edit")
    return ImportRun.objects.filter(owner=actor(request), target=target)


def _newest(request: HttpRequest, runs):
    """``runs`` newest first, those whose worker stopped read as failed."""
    fail_stale_runs(owner=actor(request))
    return runs.order_by("-created_at", "-pk")


@router.post("/debt-imports", response={202: ImportRunDetailOut, **ERRORS}, tags=["imports"])
def debt_import_new(request: HttpRequest, file: File[UploadedFile], details: Form[ImportForm]):
    """Upload a CSV or XLSX file of debts and queue its import, as for assets (the same form,
    mapping, dry run and modes). Rows are checked against the jurisdictions whose debts you may
    edit; the debt code is the key. Follow it at ``GET /debt-imports/{id}``; the debt list's
    export reads back without a mapping."""
    return _queue(_own_debt_runs(request), actor(request), file, details, "debts")


@router.get("/debt-imports", response={200: list[ImportRunOut], **ERRORS}, tags=["imports"])
@paginate(PagePagination)
def debt_import_index(request: HttpRequest):
    """Your debt imports, newest first."""
    return _newest(request, _own_debt_runs(request))


@router.get(
    "/debt-imports/{run_id}", response={200: ImportRunDetailOut, **ERRORS}, tags=["imports"]
)
def debt_import_detail(request: HttpRequest, run_id: Id):
    """Status, progress and, when done, the report of one of your debt imports."""
    return fail_if_stale(_own_debt_runs(request).get(pk=run_id))


@router.post(
    "/debt-imports/{run_id}/cancel", response={200: ImportRunDetailOut, **ERRORS}, tags=["imports"]
)
def debt_import_cancel(request: HttpRequest, run_id: Id):
    """Stop a queued or running debt import; nothing it wrote is kept."""
    return _cancel(request, _own_debt_runs(request), run_id)


@router.post("/fiscal-imports", response={202: ImportRunDetailOut, **ERRORS}, tags=["imports"])
def fiscal_import_new(request: HttpRequest, file: File[UploadedFile], details: Form[ImportForm]):
    """Upload a place's published fiscal panel (CSV or XLSX, one row per jurisdiction and
    year) and queue its import, as for debts. The jurisdiction and year are the key: a year
    imported again is updated. Blank cells are missing figures (null), never zero; the report's
    ``flags`` name figures far from the place's other years and limits below their balance.
    Follow it at ``GET /fiscal-imports/{id}``."""
    return _queue(_own_debt_runs(request, "fiscal"), actor(request), file, details, "fiscal")


@router.get("/fiscal-imports", response={200: list[ImportRunOut], **ERRORS}, tags=["imports"])
@paginate(PagePagination)
def fiscal_import_index(request: HttpRequest):
    """Your fiscal imports, newest first."""
    return _newest(request, _own_debt_runs(request, "fiscal"))


@router.get(
    "/fiscal-imports/{run_id}", response={200: ImportRunDetailOut, **ERRORS}, tags=["imports"]
)
def fiscal_import_detail(request: HttpRequest, run_id: Id):
    """Status, progress and, when done, the report (rejected and flagged rows) of one of your
    fiscal imports."""
    return fail_if_stale(_own_debt_runs(request, "fiscal").get(pk=run_id))


@router.get("/imports", response={200: list[ImportRunOut], **ERRORS}, tags=["imports"])
@paginate(PagePagination)
def import_index(request: HttpRequest, filters: Query[ImportRunFilters]):
    """Your imports, newest first (a run whose worker stopped reads as failed)."""
    require_any(request, "asset", "create")
    fail_stale_runs(owner=actor(request))
    return import_run_list(actor(request), **filters.selector_kwargs())


@router.get("/imports/{run_id}", response={200: ImportRunDetailOut, **ERRORS}, tags=["imports"])
def import_detail(request: HttpRequest, run_id: Id):
    """Status, progress (live while running) and, when done, the report: counts and the
    rejected rows with their row, column and reason. A run whose worker stopped reads as
    failed."""
    return fail_if_stale(_own_runs(request).get(pk=run_id))


@router.post(
    "/imports/{run_id}/cancel", response={200: ImportRunDetailOut, **ERRORS}, tags=["imports"]
)
def import_cancel(request: HttpRequest, run_id: Id):
    """Stop a queued or running import; nothing it wrote is kept."""
    return _cancel(request, _own_runs(request), run_id)


def _cancel(request: HttpRequest, runs, run_id: Id):
    import_run_cancel(actor=actor(request), run=runs.get(pk=run_id))
    return runs.get(pk=run_id)


@router.post(
    "/imports/{run_id}/rerun", response={202: ImportRunDetailOut, **ERRORS}, tags=["imports"]
)
def import_rerun(request: HttpRequest, run_id: Id):
    """Queue a failed (e.g. its worker stopped) or cancelled import again: a new run of the
    same stored file with the same mapping and mode."""
    runs = _own_runs(request)
    new = import_run_rerun(actor=actor(request), run=runs.get(pk=run_id))
    return Status(202, runs.get(pk=new.pk))
