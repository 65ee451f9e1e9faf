"""API: asset packages and disposal projects, with the project state machine."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    referenced,
    referenced_jurisdiction,
    require_any,
)
from panhuo.core.api_lists import list_endpoint
from panhuo.core.schemas import ERRORS, ErrorOut, Id
from panhuo.disposal import money
from panhuo.disposal.candidate_schemas import (
    CandidateFilters,
    CandidateOut,
    PackageSuggestionOut,
    SuggestionFilters,
    suggestion_out,
)
from panhuo.disposal.candidates import confirmed_candidates
from panhuo.disposal.models import Channel, DisposalProject, PackageItem, ProjectEvent
from panhuo.disposal.price_exceptions import price_exception_request
from panhuo.disposal.schemas import (
    BoardColumn,
    BoardFilters,
    ExpectedOut,
    OverdueProjectOut,
    PackageAssetsIn,
    PackageDetailOut,
    PackageFilters,
    PackageIn,
    PackageOut,
    PriceExceptionIn,
    PriceExceptionOut,
    ProjectDetailOut,
    ProjectFilters,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    RoundOut,
    TransitionIn,
)
from panhuo.disposal.selectors import (
    board,
    get_package_for,
    get_project_for,
    overdue_for,
    package_list,
    project_list,
)
from panhuo.disposal.services import (
    available_transitions,
    blocked_transitions,
    package_add_assets,
    package_create,
    package_remove_asset,
    project_create,
    project_transition,
    project_update,
    transition_check,
)
from panhuo.disposal.suggestions import suggestions_for
from panhuo.disposal.workflow import table_for
from panhuo.organisation import policy
from panhuo.pricing.selectors import applied_rules

router = Router()


# --- Packages ---------------------------------------------------------------------------------


def _package_detail(user, package_id):
    package = get_package_for(user, package_id)
    package.asset_ids = sorted(package.items.values_list("asset_id", flat=True))
    return package


list_endpoint(
    router,
    "/packages",
    PackageOut,
    PackageFilters,
    "package",
    package_list,
    tags=["packages"],
    doc="The caller's packages with figures derived from their assets.",
)


@router.post("/packages", response={201: PackageDetailOut, **ERRORS}, tags=["packages"])
def package_new(request: HttpRequest, payload: PackageIn):
    """Group assets into a lot for one channel."""
    require_any(request, "package", "create")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, payload.jurisdiction)
    data = payload.dict(exclude={"jurisdiction"})
    package = package_create(actor=user, jurisdiction=jurisdiction, **data)
    return Status(201, _package_detail(user, package.pk))


def _scope_jurisdiction(user, pk):
    if not pk:
        return None
    return referenced_jurisdiction(user, pk)


# Fixed paths come before /packages/{package_id}, which would take them for an id.
@router.get("/packages/candidates", response={200: list[CandidateOut], **ERRORS}, tags=["packages"])
@paginate(PagePagination)
def package_candidates(request: HttpRequest, filters: Query[CandidateFilters]):
    """Assets a package may take: the confirmed scope's candidates the caller sees, not
    essential, not disposed and in no live package."""
    require_any(request, "package", "create")
    user = actor(request)
    data = filters.dict()
    data["jurisdiction"] = _scope_jurisdiction(user, data.get("jurisdiction"))
    return confirmed_candidates(user, **data)


@router.get(
    "/packages/suggestions", response={200: list[PackageSuggestionOut], **ERRORS}, tags=["packages"]
)
def package_suggestions(request: HttpRequest, filters: Query[SuggestionFilters]):
    """Candidates grouped by place and kind, each group with its figures and reason; make a
    package of one with POST /packages and its ``asset_ids``."""
    require_any(request, "package", "create")
    user = actor(request)
    data = filters.dict()
    data["jurisdiction"] = _scope_jurisdiction(user, data.get("jurisdiction"))
    return [suggestion_out(s) for s in suggestions_for(user, **data)]


@router.get("/packages/{package_id}", response={200: PackageDetailOut, **ERRORS}, tags=["packages"])
def package_detail(request: HttpRequest, package_id: Id):
    return _package_detail(actor(request), package_id)


@router.post(
    "/packages/{package_id}/assets", response={200: PackageDetailOut, **ERRORS}, tags=["packages"]
)
def package_assets_add(request: HttpRequest, package_id: Id, payload: PackageAssetsIn):
    """Add assets to an open package (each asset is in at most one live package)."""
    require_any(request, "package", "edit")
    user = actor(request)
    package = get_package_for(user, package_id)
    package_add_assets(actor=user, package=package, asset_ids=payload.asset_ids)
    return _package_detail(user, package.pk)


@router.delete(
    "/packages/{package_id}/assets/{asset_id}",
    response={200: PackageDetailOut, **ERRORS},
    tags=["packages"],
)
def package_asset_remove(request: HttpRequest, package_id: Id, asset_id: Id):
    """Take one asset out of an open package; an asset not in it answers 404."""
    require_any(request, "package", "edit")
    user = actor(request)
    package = get_package_for(user, package_id)
    if not package.items.filter(asset_id=asset_id).exists():
        raise PackageItem.DoesNotExist
    package_remove_asset(actor=user, package=package, asset_id=asset_id)
    return _package_detail(user, package.pk)


# --- Projects ---------------------------------------------------------------------------------


def _project_detail(user, project_id):
    project = get_project_for(user, project_id)
    prefetch_related_objects(
        [project], Prefetch("events", queryset=ProjectEvent.objects.select_related("actor"))
    )
    # Only what the caller can take now: the project page shows the rest disabled, with why.
    project.available_transitions = available_transitions(user, project, actionable=True)
    project.flags = sorted({"single_bidder" for r in project.rounds.all() if r.single_bidder})
    project.rule_set = applied_rules(project.package)
    project.blocked_transitions = [
        {"name": t.name, "label": str(t.label), "reason": reason}
        for t, reason in blocked_transitions(user, project)
    ]
    return project


list_endpoint(
    router, "/projects", ProjectOut, ProjectFilters, "project", project_list, tags=["projects"]
)


@router.post("/projects", response={201: ProjectDetailOut, **ERRORS}, tags=["projects"])
def project_new(request: HttpRequest, payload: ProjectIn):
    """Open a draft disposal project for a package."""
    require_any(request, "project", "create")
    user = actor(request)
    package = referenced("package", "package", get_package_for, user, payload.package)
    data = payload.dict(exclude={"package", "unit"})  # the reserve is in yuan by now
    project = project_create(actor=user, package=package, **data)
    return Status(201, _project_detail(user, project.pk))


# Fixed paths come before /projects/{project_id}, which would take them for an id.
@router.get(
    "/projects/overdue", response={200: list[OverdueProjectOut], **ERRORS}, tags=["projects"]
)
def project_overdue(request: HttpRequest, channel: Channel | None = None, all: bool = False):
    """Projects past their state's time limit whose next step is the caller's (``all``: every
    overdue project the caller sees), oldest first."""
    require_any(request, "project", "view")
    rows = overdue_for(actor(request), channel=channel or "", mine=not all)
    return [
        {
            "id": p.pk, "code": p.code, "channel": p.channel, "status": p.status,
            "due_on": p.due_on, "due_provisional": p.due_provisional,
            "days_overdue": p.days_overdue, "deadline": p.deadline,
            "next_steps": [t.name for t in p.next_steps],
        }
        for p in rows
    ]  # fmt: skip


@router.get("/projects/board", response={200: list[BoardColumn], **ERRORS}, tags=["projects"])
def project_board(request: HttpRequest, filters: Query[BoardFilters]):
    """Projects by state: one column per state of the channel (every state without one)."""
    require_any(request, "project", "view")
    user = actor(request)
    jurisdiction = None
    if filters.jurisdiction:
        jurisdiction = referenced_jurisdiction(user, filters.jurisdiction)
    columns = board(user, channel=filters.channel or "", jurisdiction=jurisdiction)
    return [
        {
            "state": col["state"], "label": str(col["label"]), "count": col["count"],
            "projects": [
                {"id": p.pk, "code": p.code, "channel": p.channel,
                 "jurisdiction_id": p.package.jurisdiction_id, "due_on": p.due_on,
                 "due_provisional": p.due_provisional, "overdue": p.overdue}
                for p in col["projects"]
            ],
        }
        for col in columns
    ]  # fmt: skip


@router.get("/projects/{project_id}", response={200: ProjectDetailOut, **ERRORS}, tags=["projects"])
def project_detail(request: HttpRequest, project_id: Id):
    """A project with the transitions the caller may take now and its timeline."""
    return _project_detail(actor(request), project_id)


@router.patch(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, 409: ErrorOut, **ERRORS},
    tags=["projects"],
)
def project_change(request: HttpRequest, project_id: Id, payload: ProjectPatch):
    """Change a draft's reserve price, channel or note. With ``version``, a change made
    meanwhile answers 409."""
    require_any(request, "project", "create")
    user = actor(request)
    project = get_project_for(user, project_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    data.pop("unit", None)
    confirm = bool(data.pop("confirm_amount", False))
    if "reserve_price" in data:
        data["reserve_price"] = payload.reserve_price  # in yuan, whatever unit was typed
    project_update(actor=user, project=project, data=data, version=version, confirm_amount=confirm)
    return _project_detail(user, project.pk)


def _may_take(user, project: DisposalProject, name: str) -> None:
    """403 when the caller's roles or scope (or being the submitter) rule the transition out.

    Whether it may be taken *from the current state* is the service's answer (400, naming the
    transition and the state), so that a permitted caller learns why it cannot be taken now.
    """
    t = table_for(project.channel).get(name)
    if t is not None and project.status in t.sources:
        reason = transition_check(user, project, t)
        if reason:
            raise policy.NotPermitted(reason)


@router.post(
    "/projects/{project_id}/transitions",
    response={200: ProjectDetailOut, **ERRORS},
    tags=["projects"],
)
def project_transition_take(request: HttpRequest, project_id: Id, payload: TransitionIn):
    """Take one transition of the state machine (see ``available_transitions``)."""
    name = str(payload.transition)
    require_any(request, "project", name)
    user = actor(request)
    project = get_project_for(user, project_id)
    _may_take(user, project, name)
    step = payload.dict(include={"comment", "deal_price", "buyer", "confirm_amount"})
    project_transition(
        actor=user, project=project, transition=name, **step, **payload.channel_data()
    )
    return _project_detail(user, project.pk)


@router.post(
    "/projects/{project_id}/price-exception",
    response={201: PriceExceptionOut, **ERRORS},
    tags=["projects"],
)
def project_price_exception(request: HttpRequest, project_id: Id, payload: PriceExceptionIn):
    """Ask the head to approve a relisting reserve or deal price below 90 % of the appraisal
    (the pricing guard's gate ``below_approval_floor``): opens an approval request of purpose
    price_exception for that amount, decided under /approvals. For whoever may list the
    project or record its deal; one pending request per project."""
    user = actor(request)
    project = get_project_for(user, project_id)
    made = price_exception_request(
        actor=user, project=project, amount=payload.amount, reason=payload.reason
    )
    return Status(201, made)


# --- Channel records, deadlines and the board -------------------------------------------------


@router.get(
    "/projects/{project_id}/rounds", response={200: list[RoundOut], **ERRORS}, tags=["projects"]
)
def project_rounds(request: HttpRequest, project_id: Id):
    """The listing rounds of an auction or exchange project, first to last."""
    return list(get_project_for(actor(request), project_id).rounds.all())


@router.get(
    "/projects/{project_id}/expected-receipts",
    response={200: list[ExpectedOut], **ERRORS},
    tags=["projects"],
)
def project_expected(request: HttpRequest, project_id: Id):
    """What the project is owed and when, matched to the receipts in due-date order; for those
    who see receipts."""
    user = actor(request)
    project = get_project_for(user, project_id)
    policy.require(user, "receipt", "view", jurisdiction=project.jurisdiction)
    return [
        {"id": line.expected.pk, "due_date": line.expected.due_date,
         "kind": line.expected.kind, "label": line.expected.label,
         "amount": line.expected.amount, "paid": line.paid, "due": line.due,
         "state": line.state}
        for line in money.lines(project, today=timezone.localdate())
    ]  # fmt: skip
