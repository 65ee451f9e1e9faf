"""API: the register in depth — classification codes, bulk imports and their saved mappings,
scope (rules, proposals, decisions) and saved list filters.

Imports and mappings are the caller's own: anyone else's answers 404, like a record one may
not see. Scope is read by the readers of a jurisdiction, its rules set by the head, a deputy or
the office, and decided by the head or a deputy (organisation/policy.py).
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from panhuo.core.api import PagePagination, actor, referenced, require_any
from panhuo.core.lists import registry
from panhuo.core.models import SavedFilter
from panhuo.core.schemas import ErrorOut, Id
from panhuo.core.services import saved_filter_delete, saved_filter_save
from panhuo.organisation import policy
from panhuo.register import scope
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.importing.readers import FileRejected, detect_kind
from panhuo.register.imports import (
    fail_if_stale,
    fail_stale_runs,
    import_run_cancel,
    import_run_create,
    import_run_rerun,
    mapping_delete,
    mapping_save,
)
from panhuo.register.models import ClassificationCode
from panhuo.register.schemas_depth import (
    ClassificationFilters,
    ClassificationOut,
    ImportForm,
    ImportRunDetailOut,
    ImportRunFilters,
    ImportRunOut,
    JurisdictionQuery,
    MappingBody,
    MappingIn,
    MappingOut,
    MappingPut,
    ProposalFilters,
    ProposalOut,
    SavedFilterFilters,
    SavedFilterIn,
    SavedFilterOut,
    ScopeDecisionDetailOut,
    ScopeDecisionFilters,
    ScopeDecisionIn,
    ScopeDecisionOut,
    ScopeRulesIn,
    ScopeRulesOut,
)
from panhuo.register.scope_models import ScopeDecision
from panhuo.register.selectors import import_run_list, scope_decision_list

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- Classification codes ----------------------------------------------------------------------


@router.get(
    "/classification-codes",
    response={200: list[ClassificationOut], **ERRORS},
    tags=["classification"],
)
@paginate(PagePagination)
def classification_index(request: HttpRequest, filters: Query[ClassificationFilters]):
    """The asset classification (GB/T 14885 or the local list), by code."""
    require_any(request, "asset", "view")
    qs = ClassificationCode.objects.select_related("parent").annotate(
        has_children=Exists(ClassificationCode.objects.filter(parent=OuterRef("pk")))
    )
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.q:
        qs = qs.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    return qs.order_by("code", "pk")


# --- Import mappings ---------------------------------------------------------------------------


def _own_mappings(request: HttpRequest):
    require_any(request, "asset", "create")
    return ImportMapping.objects.filter(owner=actor(request), target="assets")


def _save_mapping(request: HttpRequest, name: str, body: MappingBody) -> ImportMapping:
    return mapping_save(
        actor=actor(request),
        name=name,
        columns=body.columns,
        values=body.values,
        options=body.options,
    )


@router.get("/import-mappings", response={200: list[MappingOut], **ERRORS}, tags=["imports"])
@paginate(PagePagination)
def mapping_index(request: HttpRequest):
    """Your saved column mappings, by name."""
    return _own_mappings(request).order_by("name", "pk")


@router.post(
    "/import-mappings", response={200: MappingOut, 201: MappingOut, **ERRORS}, tags=["imports"]
)
def mapping_new(request: HttpRequest, payload: MappingIn):
    """Save a mapping under a name: 201 when new, 200 when it replaces yours of that name."""
    existed = _own_mappings(request).filter(name=payload.name.strip()).exists()
    mapping = _save_mapping(request, payload.name, payload)
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
                    "A mapping cannot be renamed; save it under the new name (POST) and delete "
                    "this one."
                ]
            }
        )
    _save_mapping(request, mapping.name, payload)
    mapping.refresh_from_db()
    return mapping


@router.delete("/import-mappings/{mapping_id}", response={204: None, **ERRORS}, tags=["imports"])
def mapping_remove(request: HttpRequest, mapping_id: Id):
    mapping = _own_mappings(request).get(pk=mapping_id)
    mapping_delete(actor=actor(request), mapping=mapping)
    return Status(204, None)


# --- Import runs -------------------------------------------------------------------------------


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
    user = actor(request)
    if details.mapping_name and details.mapping:
        raise ValidationError({"mapping": ["Give either mapping_name or mapping, not both."]})
    mapping = _mapping_from_text(details.mapping) if details.mapping else None
    if (
        details.mapping_name
        and not ImportMapping.objects.filter(
            owner=user, target="assets", name=details.mapping_name
        ).exists()
    ):
        raise ValidationError(
            {"mapping_name": [f"You have no mapping named {details.mapping_name!r}."]}
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
    )
    return Status(202, own.get(pk=run.pk))


def _own_debt_runs(request: HttpRequest):
    require_any(request, "debt", "edit")
    return ImportRun.objects.filter(owner=actor(request), target="debts")


@router.post("/debt-imports", response={202: ImportRunDetailOut, **ERRORS}, tags=["imports"])
def debt_import_new(request: HttpRequest, file: File[UploadedFile], details: Form[ImportForm]):
    """Upload a CSV or XLSX file of debts and queue its import, as for assets (the same form,
    mapping, dry run and modes). Rows are checked against the jurisdictions whose debts you may
    edit; the debt code is the key. Follow it at ``GET /debt-imports/{id}``; the debt list's
    export reads back without a mapping."""
    own = _own_debt_runs(request)
    user = actor(request)
    if details.mapping_name and details.mapping:
        raise ValidationError({"mapping": ["Give either mapping_name or mapping, not both."]})
    mapping = _mapping_from_text(details.mapping) if details.mapping else None
    _check_file_kind(file)
    run = import_run_create(
        actor=user,
        upload=file,
        filename=file.name or "upload",
        mapping=mapping,
        mapping_name=details.mapping_name,
        commit=details.commit,
        valid_only=details.valid_only,
        target="debts",
    )
    return Status(202, own.get(pk=run.pk))


@router.get("/debt-imports", response={200: list[ImportRunOut], **ERRORS}, tags=["imports"])
@paginate(PagePagination)
def debt_import_index(request: HttpRequest):
    """Your debt imports, newest first."""
    runs = _own_debt_runs(request)
    fail_stale_runs(owner=actor(request))
    return runs.order_by("-created_at", "-pk")


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
    runs = _own_debt_runs(request)
    import_run_cancel(actor=actor(request), run=runs.get(pk=run_id))
    return runs.get(pk=run_id)


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
    runs = _own_runs(request)
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


# --- Scope -------------------------------------------------------------------------------------


def _scope_jurisdiction(request: HttpRequest, action: str, pk: int):
    """The jurisdiction named, if the caller may take the scope ``action`` there (else 404)."""
    require_any(request, "scope", action)
    return referenced(
        "jurisdiction",
        "jurisdiction",
        lambda user, i: policy.jurisdictions_for(user, "scope", action).get(pk=i),
        actor(request),
        pk,
    )


def _rules_out(jurisdiction, rules) -> dict:
    return {
        "jurisdiction": jurisdiction.pk,
        "inherited_from": rules.jurisdiction_id if rules.pk else None,
        **rules.as_json(),
        "min_value": rules.min_value,
        "updated_at": rules.updated_at,
    }


@router.get("/scope/proposal", response={200: list[ProposalOut], **ERRORS}, tags=["scope"])
@paginate(PagePagination)
def scope_proposal(request: HttpRequest, filters: Query[ProposalFilters]):
    """Every asset of the jurisdiction (and below) proposed in or out under its rules, with
    the reasons; ``included`` keeps the candidates (true) or the exclusions (false)."""
    jurisdiction = _scope_jurisdiction(request, "view", filters.jurisdiction)
    proposals = scope.propose(actor(request), jurisdiction)
    if filters.included is not None:
        return [p for p in proposals if p.included == filters.included]
    return list(proposals)


@router.get("/scope/rules", response={200: ScopeRulesOut, **ERRORS}, tags=["scope"])
def scope_rules(request: HttpRequest, filters: Query[JurisdictionQuery]):
    """The rules that apply in the jurisdiction: its own, the nearest ancestor's, or the
    defaults (``inherited_from`` says which)."""
    jurisdiction = _scope_jurisdiction(request, "view", filters.jurisdiction)
    return _rules_out(jurisdiction, scope.rules_for(jurisdiction))


@router.put("/scope/rules", response={200: ScopeRulesOut, **ERRORS}, tags=["scope"])
def scope_rules_set(request: HttpRequest, filters: Query[JurisdictionQuery], payload: ScopeRulesIn):
    """Set the jurisdiction's own rules (every field; they then apply below it too)."""
    jurisdiction = _scope_jurisdiction(request, "rules", filters.jurisdiction)
    rules = scope.scope_rules_update(
        actor=actor(request), jurisdiction=jurisdiction, data=payload.dict()
    )
    return _rules_out(jurisdiction, rules)


def _decisions(request: HttpRequest, **filters):
    require_any(request, "scope", "view")
    return (
        scope_decision_list(actor(request), **filters)
        .select_related("jurisdiction", "decided_by")
        .annotate(
            included_count=Count("items", filter=Q(items__included=True)),
            excluded_count=Count("items", filter=Q(items__included=False)),
        )
    )


def _decision_detail(request: HttpRequest, decision_id: int) -> ScopeDecision:
    decision = _decisions(request).get(pk=decision_id)
    decision.items_list = list(
        decision.items.select_related("asset__unit").order_by("-included", "asset__code", "pk")
    )
    return decision


@router.post("/scope/decisions", response={201: ScopeDecisionDetailOut, **ERRORS}, tags=["scope"])
def scope_decision_new(request: HttpRequest, payload: ScopeDecisionIn):
    """Record the task force's scope decision: the rules' candidates, or those of them listed in
    ``include``; the head or a deputy decides."""
    jurisdiction = _scope_jurisdiction(request, "decide", payload.jurisdiction)
    decision = scope.scope_decide(
        actor=actor(request),
        jurisdiction=jurisdiction,
        include=payload.include,
        note=payload.note,
    )
    return Status(201, _decision_detail(request, decision.pk))


@router.get("/scope/decisions", response={200: list[ScopeDecisionOut], **ERRORS}, tags=["scope"])
@paginate(PagePagination)
def scope_decision_index(request: HttpRequest, filters: Query[ScopeDecisionFilters]):
    """Recorded scope decisions in the caller's jurisdictions, newest first."""
    return _decisions(request, **filters.selector_kwargs()).order_by("-decided_at", "-pk")


@router.get(
    "/scope/decisions/{decision_id}",
    response={200: ScopeDecisionDetailOut, **ERRORS},
    tags=["scope"],
)
def scope_decision_detail(request: HttpRequest, decision_id: Id):
    """One decision with every asset it covered, in or out, and why."""
    return _decision_detail(request, decision_id)


# --- Saved filters -----------------------------------------------------------------------------


def _own_filters(request: HttpRequest):
    return SavedFilter.objects.filter(owner=actor(request))


@router.get(
    "/saved-filters", response={200: list[SavedFilterOut], **ERRORS}, tags=["saved filters"]
)
@paginate(PagePagination)
def saved_filter_index(request: HttpRequest, filters: Query[SavedFilterFilters]):
    """Your saved filters, by list and name."""
    qs = _own_filters(request)
    if filters.target:
        qs = qs.filter(target=filters.target)
    return qs.order_by("target", "name", "pk")


@router.post(
    "/saved-filters",
    response={200: SavedFilterOut, 201: SavedFilterOut, **ERRORS},
    tags=["saved filters"],
)
def saved_filter_new(request: HttpRequest, payload: SavedFilterIn):
    """Keep a list's query under a name: 201 when new, 200 when it replaces yours of that name.
    Paging is dropped, so the filter opens on the first page."""
    declared = registry()[payload.target]
    require_any(request, declared.resource, declared.action)
    existed = (
        _own_filters(request).filter(target=payload.target, name=payload.name.strip()).exists()
    )
    item = saved_filter_save(
        actor=actor(request), target=payload.target, name=payload.name, query=payload.query
    )
    return Status(200 if existed else 201, item)


@router.delete("/saved-filters/{filter_id}", response={204: None, **ERRORS}, tags=["saved filters"])
def saved_filter_remove(request: HttpRequest, filter_id: Id):
    """Delete one of your saved filters; anyone else's answers 404."""
    saved_filter_delete(actor=actor(request), saved_filter=_own_filters(request).get(pk=filter_id))
    return Status(204, None)
