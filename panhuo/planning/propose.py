"""Targets proposed from elsewhere (an adopted optimiser plan's money raised and debt
resolved by quarter): written into the year's work plan through this app's own services. The
plan being worked on (a draft or a returned one) has its money and debt targets of the given
quarters replaced; an approved plan is revised first (it stays in force until the revision is
approved); no plan: a draft is opened. Other quarters' targets, the assets targets, milestones
and tasks are kept; the totals become the sums. A plan awaiting its decision is refused."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.decisions.optimiser.models import OptimiserRun, RunStatus
from panhuo.decisions.optimiser.targets import plan_targets
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.planning import services
from panhuo.planning.models import OPEN_STATES, Measure, PlanStatus, WorkPlan

ZERO = Decimal("0.00")


def _kept(plan: WorkPlan | None, quarters: set[int]) -> tuple[list[dict], dict]:
    """The plan's targets not replaced, and what else of it stays (as ``plan_update`` takes)."""
    if plan is None:
        return [], {"assets_total": 0, "note": "", "milestones": [], "tasks": []}
    kept = [
        {"measure": t.measure, "quarter": t.quarter, "amount": t.amount,
         "debt_type": t.debt_type, "unit": t.unit_id, "channel": t.channel}
        for t in plan.targets.all()
        if t.measure == Measure.ASSETS or t.quarter not in quarters
    ]  # fmt: skip
    rest = {
        "assets_total": plan.assets_total, "note": plan.note,
        "milestones": [{"title": m.title, "due_on": m.due_on} for m in plan.milestones.all()],
        "tasks": [{"title": t.title, "due_on": t.due_on, "owner": t.owner_id, "done": t.done}
                  for t in plan.tasks.all()],
    }  # fmt: skip
    return kept, rest


def plan_propose_targets(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    year: int,
    quarters: set[int],
    money: dict[int, Decimal],
    debt: dict[tuple[str, int], Decimal],
    source: str,
) -> WorkPlan:
    """Write ``money`` {quarter: amount} and ``debt`` {(debt type, quarter): amount} as the
    targets of ``quarters`` in the year's plan (see the module); ``source`` names where they
    come from, in the audit log."""
    policy.require(actor, "work_plan", "edit", jurisdiction=jurisdiction)
    if not quarters or not quarters <= {1, 2, 3, 4}:
        raise ValidationError({"quarters": [_("Give the quarters (1 to 4) the targets are for.")]})
    with transaction.atomic():
        plans = WorkPlan.objects.select_for_update().filter(jurisdiction=jurisdiction, year=year)
        plan = plans.filter(status__in=OPEN_STATES).first()
        if plan is not None and plan.status == PlanStatus.SUBMITTED:
            raise ValidationError({"status": [
                _("The plan of %(year)s (version %(number)s) awaits its decision: propose "
                  "targets once it is approved or returned.")
                % {"year": year, "number": plan.number}
            ]})  # fmt: skip
        if plan is None:
            approved = plans.filter(status=PlanStatus.APPROVED).first()
            if approved is not None:
                plan = services.plan_revise(actor=actor, plan=approved)
        kept, rest = _kept(plan, quarters)
        new = [{"measure": Measure.MONEY, "quarter": q, "amount": money[q]}
               for q in sorted(quarters) if money.get(q)]  # fmt: skip
        new += [{"measure": Measure.DEBT, "quarter": q, "debt_type": t, "amount": v}
                for (t, q), v in sorted(debt.items()) if v and q in quarters]  # fmt: skip
        targets = kept + new
        totals = {
            f"{m}_total": sum((Decimal(t["amount"]) for t in targets if t["measure"] == m), ZERO)
            for m in (Measure.MONEY, Measure.DEBT)
        }
        data = {"year": year, **rest, **totals, "targets": targets}
        if plan is None:
            plan = services.plan_draft(actor=actor, jurisdiction=jurisdiction, data=data)
        else:
            plan = services.plan_update(actor=actor, plan=plan, data=data)
        audit_record(actor=actor, action="work_plan.propose_targets", obj=plan,
                     after={"source": source, "quarters": sorted(quarters), **{
                         k: str(v) for k, v in totals.items()}},
                     jurisdiction_path=jurisdiction.path)  # fmt: skip
    return plan


def propose_from_run(*, actor: User, run: OptimiserRun, year: int | str) -> WorkPlan:
    """An adopted optimiser run's money raised and debt service of ``year`` (one of the
    calendar years its horizon touches) proposed as that year's targets in the run's place
    (``plan_propose_targets``). A run not adopted, or a year outside the horizon, is refused
    naming the run or the year; nothing is written."""
    policy.require(actor, "work_plan", "edit", jurisdiction=run.jurisdiction)
    if run.status != RunStatus.ADOPTED:
        raise ValidationError({"run": [
            _("Only an adopted optimiser plan feeds the work plan: adopt run #%(id)s first.")
            % {"id": run.pk}
        ]})  # fmt: skip
    years = {y["year"]: y for y in plan_targets(actor, run)}
    text = str(year).strip()
    got = years.get(int(text)) if text.isdigit() and len(text) < 6 else None
    if got is None:
        raise ValidationError({"year": [
            _("“%(value)s” is not a year of the plan's horizon (%(years)s).")
            % {"value": text, "years": ", ".join(map(str, years))}
        ]})  # fmt: skip
    return plan_propose_targets(
        actor=actor, jurisdiction=run.jurisdiction, year=got["year"],
        quarters=set(got["quarters"]), money=got["money"], debt=got["debt"],
        source=f"optimiser_run:{run.pk}",
    )  # fmt: skip
