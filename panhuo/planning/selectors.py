"""Reads of work plans, scoped to the reader: their jurisdictions' plans (a unit asset officer
sees their jurisdiction's plans, and of their targets only their own unit's lines)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from panhuo.core.querying import id_or_missing
from panhuo.organisation import policy
from panhuo.planning.models import Measure, PlanTask, WorkPlan
from panhuo.planning.progress import Line

PLAN_ORDERINGS = {
    "year": "year",
    "-year": "-year",
    "jurisdiction": "jurisdiction__path",
    "-jurisdiction": "-jurisdiction__path",
    "status": "status",
    "-status": "-status",
}

TASK_ORDERINGS = {
    "due_on": "due_on",
    "-due_on": "-due_on",
    "title": "title",
    "-title": "-title",
    "owner": "owner__username",
    "-owner": "-owner__username",
}


def plan_list(
    user, *, q: str = "", year: int | None = None, status: str = "", ordering: str = "-year"
) -> QuerySet[WorkPlan]:
    """The plans ``user`` may read, newest year first (each version its own row)."""
    qs = WorkPlan.objects.visible_to(user).select_related("jurisdiction")
    if q:
        qs = qs.filter(Q(jurisdiction__name__icontains=q) | Q(note__icontains=q))
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    key = PLAN_ORDERINGS.get(ordering, "-year")
    return qs.order_by(key, "jurisdiction__path", "-number", "pk")


def get_plan_for(user, pk) -> WorkPlan:
    """A plan ``user`` may read; others are missing (404)."""
    return (
        WorkPlan.objects.visible_to(user)
        .select_related("jurisdiction", "previous")
        .get(pk=id_or_missing(pk, WorkPlan))
    )


def lines_for(user, plan: WorkPlan, lines: list[Line]) -> list[Line]:
    """The lines ``user`` reads: all of them, or, for one who reads plans only as a unit asset
    officer, the asset lines of their own units."""
    if policy.allowed(user, "work_plan", "view", jurisdiction=plan.jurisdiction,
                      roles_subset=policy.READERS):  # fmt: skip
        return lines
    units = set(policy.units_for(user, "work_plan", "view").values_list("pk", flat=True))
    return [ln for ln in lines if ln.measure == Measure.ASSETS and ln.key[0] in units]


def get_task_for(user, pk) -> PlanTask:
    """A task of a plan ``user`` may read; others are missing (404)."""
    return PlanTask.objects.select_related("plan__jurisdiction", "owner").get(
        pk=id_or_missing(pk, PlanTask), plan__in=WorkPlan.objects.visible_to(user)
    )


def task_list(
    user,
    *,
    q: str = "",
    plan: int | None = None,
    state: str = "",
    mine: bool = False,
    ordering: str = "due_on",
) -> QuerySet[PlanTask]:
    """The tasks of the plans ``user`` may read, soonest due first: of one plan, open or done,
    or the reader's own."""
    qs = PlanTask.objects.filter(plan__in=WorkPlan.objects.visible_to(user)).select_related(
        "plan__jurisdiction", "owner"
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(owner__username__icontains=q))
    if plan:
        qs = qs.filter(plan_id=plan)
    if state in ("open", "done"):
        qs = qs.filter(done=state == "done")
    if mine:
        qs = qs.filter(owner=user)
    return qs.order_by(TASK_ORDERINGS.get(ordering, "due_on"), "pk")
