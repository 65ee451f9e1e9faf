"""API of work plans: list, read one with its progress, draft, edit, submit and revise, and
propose an adopted optimiser run's targets. Same permissions as the pages; decisions are the
approvals API's (purpose ``work_plan``)."""

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from panhuo.core.api import actor, referenced_jurisdiction, require_any
from panhuo.core.api_lists import list_endpoint
from panhuo.core.schemas import ERRORS, Id, ListFilters, MoneyOut, Ordering, Text
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.planning import propose, services
from panhuo.planning.progress import plan_progress
from panhuo.planning.selectors import (
    PLAN_ORDERINGS,
    get_plan_for,
    get_task_for,
    lines_for,
    plan_list,
)

router = Router(tags=["planning"])


class WorkPlanOut(Schema):
    id: int
    jurisdiction_id: int
    jurisdiction: str
    year: int
    number: int
    status: str
    previous_id: int | None
    money_total: MoneyOut
    debt_total: MoneyOut
    assets_total: int
    note: str

    @staticmethod
    def resolve_jurisdiction(obj) -> str:
        return obj.jurisdiction.code


class PlanFilters(ListFilters):
    year: int | None = Field(None, ge=2000, le=2100)
    status: str = Field("", max_length=12)
    ordering: Ordering(PLAN_ORDERINGS) = "-year"  # type: ignore[valid-type]


class PlanTargetIn(Schema):
    measure: str = Field(max_length=8)
    quarter: int = Field(ge=1, le=4)
    amount: Decimal = Field(ge=0, max_digits=20, decimal_places=2)
    debt_type: str = Field("", max_length=20)
    unit: Id | None = None
    channel: str = Field("", max_length=16)


class PlanDatedIn(Schema):
    title: Text = Field(max_length=200)
    due_on: dt.date
    owner: Id | None = None
    done: bool = False


class WorkPlanIn(Schema):
    year: int = Field(ge=2000, le=2100)
    money_total: Decimal = Field(ge=0, max_digits=20, decimal_places=2)
    debt_total: Decimal = Field(ge=0, max_digits=20, decimal_places=2)
    assets_total: int = Field(ge=0, le=10**9)
    note: Text = Field("", max_length=2000)
    targets: list[PlanTargetIn] = Field(default_factory=list, max_length=2000)
    milestones: list[PlanDatedIn] = Field(default_factory=list, max_length=200)
    tasks: list[PlanDatedIn] = Field(default_factory=list, max_length=500)


class WorkPlanNewIn(WorkPlanIn):
    jurisdiction: Id


class WorkPlanLineOut(Schema):
    measure: str
    key: list[str | int | None]
    targets: dict[int, Decimal]
    actuals: dict[int, Decimal]
    target: Decimal
    actual: Decimal
    variance: Decimal
    forecast: Decimal


class PlanProgressOut(Schema):
    plan: WorkPlanOut
    on: dt.date
    lines: list[WorkPlanLineOut]


class PlanOnQuery(Schema):
    on: dt.date | None = None


list_endpoint(router, "/plans", WorkPlanOut, PlanFilters, "work_plan", plan_list,
              doc="Work plans you may read (every version), filtered and sorted.")  # fmt: skip


def _data(payload: WorkPlanIn) -> dict:
    data = payload.dict(exclude={"jurisdiction"})
    data["tasks"] = [t | {"owner": t.get("owner")} for t in data["tasks"]]
    return data


@router.post("/plans", response={201: WorkPlanOut, **ERRORS})
def plan_new(request: HttpRequest, payload: WorkPlanNewIn):
    """Draft a jurisdiction's plan for a year (the office): targets by quarter that add up to
    the annual totals; refused if the year already has an approved or open plan."""
    require_any(request, "work_plan", "edit")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, payload.jurisdiction)
    return Status(
        201, services.plan_draft(actor=user, jurisdiction=jurisdiction, data=_data(payload))
    )


def _plan(request, pk: int):
    """The plan ``pk`` if the caller may read it (404 otherwise: unknown and hidden alike)."""
    return get_plan_for(actor(request), pk)


@router.get("/plans/{pk}", response={200: PlanProgressOut, **ERRORS})
def plan_get(request: HttpRequest, pk: int, query: Query[PlanOnQuery]):
    """A plan with its progress as of ``on`` (today by default): each line's quarterly targets
    and actuals, variance and forecast to year end, all computed from the records."""
    require_any(request, "work_plan", "view")
    plan = _plan(request, pk)
    on = query.on or timezone.localdate()
    lines = lines_for(actor(request), plan, plan_progress(plan, on))
    rows = [
        {**ln.__dict__, "key": list(ln.key), "target": ln.target, "actual": ln.actual,
         "variance": ln.variance, "forecast": ln.forecast}
        for ln in lines
    ]  # fmt: skip
    return {"plan": plan, "on": on, "lines": rows}


@router.put("/plans/{pk}", response={200: WorkPlanOut, **ERRORS})
def plan_put(request: HttpRequest, pk: int, payload: WorkPlanIn):
    """Edit a draft or returned plan (its targets, milestones and tasks are replaced)."""
    require_any(request, "work_plan", "edit")
    plan = _plan(request, pk)
    return services.plan_update(actor=actor(request), plan=plan, data=_data(payload))


@router.post("/plans/{pk}/submit", response={200: WorkPlanOut, **ERRORS})
def plan_submit(request: HttpRequest, pk: int):
    """Send the plan for approval (purpose ``work_plan``, decided by the head or a deputy)."""
    require_any(request, "work_plan", "submit")
    return services.plan_submit(actor=actor(request), plan=_plan(request, pk))


@router.post("/plans/{pk}/revise", response={201: WorkPlanOut, **ERRORS})
def plan_revise(request: HttpRequest, pk: int):
    """Start a revision of the approved plan: a new draft version copying it."""
    require_any(request, "work_plan", "edit")
    plan = _plan(request, pk)
    return Status(201, services.plan_revise(actor=actor(request), plan=plan))


class PlanTaskDoneIn(Schema):
    done: bool


class PlanTaskOut(Schema):
    id: int
    plan_id: int
    title: str
    owner_id: int
    due_on: dt.date
    done: bool


@router.post("/plans/tasks/{pk}/done", response={200: PlanTaskOut, **ERRORS})
def plan_task_done(request: HttpRequest, pk: int, payload: PlanTaskDoneIn):
    """Mark a plan's task done (or not yet): its owner or the office."""
    require_any(request, "work_plan", "view")
    task = get_task_for(actor(request), pk)
    return services.task_set_done(actor=actor(request), task=task, done=payload.done)


class FromOptimiserIn(Schema):
    year: int = Field(description="A calendar year the run's horizon touches.")


@router.post("/plans/from-optimiser/{run_id}", response={200: WorkPlanOut, **ERRORS})
def plan_from_optimiser(request: HttpRequest, run_id: int, payload: FromOptimiserIn):
    """Propose an adopted optimiser run's money raised and debt service of ``year`` as that
    year's work plan targets in the run's place (work_plan.edit there; the run visible to you,
    404 otherwise): the open plan's money and debt targets of those quarters are replaced, an
    approved plan is revised first, no plan gets a draft. A run not adopted, a year outside
    the horizon or a plan awaiting its decision is a 400 naming the field."""
    require_any(request, "work_plan", "edit")
    user = actor(request)
    run = OptimiserRun.objects.visible_to(user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return propose.propose_from_run(actor=user, run=run, year=payload.year)
