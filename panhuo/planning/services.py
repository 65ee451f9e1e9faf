"""Writes of work plans: drafting (and editing a draft), submitting to the approvals engine,
the decision's effect, and revising an approved plan. Each checks the policy, runs in one
transaction and is audited; a refused input writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from panhuo.approvals import services as approvals
from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_set, audit_update, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.planning import workflow
from panhuo.planning.approval import PURPOSE
from panhuo.planning.models import (
    FIRST_YEAR,
    LAST_YEAR,
    OPEN_STATES,
    Measure,
    Milestone,
    PlanStatus,
    PlanTask,
    WorkPlan,
)
from panhuo.planning.targets import clean_amount, clean_targets


def _clean_year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {
                "year": [
                    _("Give a year from %(first)s to %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                ]
            }
        )
    return year


def _clean_totals(data: dict) -> dict[str, Any]:
    return {
        "money_total": clean_amount(data.get("money_total"), "money_total"),
        "debt_total": clean_amount(data.get("debt_total"), "debt_total"),
        "assets_total": int(clean_amount(data.get("assets_total"), "assets_total", whole=True)),
    }


def _clean_dated(rows: list[dict], kind: str, year: int) -> list[tuple[str, dt.date, dict]]:
    """Milestones or tasks: a title and a due date in the plan's year."""
    out = []
    for i, raw in enumerate(rows):
        at = f"{kind}[{i}]"
        title = str(raw.get("title") or "").strip()
        if not title:
            raise ValidationError({f"{at}.title": [_("Give a title.")]})
        due = raw.get("due_on")
        try:
            due = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due))
        except ValueError:
            raise ValidationError(
                {f"{at}.due_on": [_("“%(value)s” is not a date.") % {"value": due}]}
            ) from None
        if due.year != year:
            raise ValidationError(
                {f"{at}.due_on": [_("The due date falls outside %(year)s.") % {"year": year}]}
            )
        out.append((title[:200], due, raw))
    return out


def _owner(raw: dict, jurisdiction: Jurisdiction, field: str) -> User:
    """A task's owner: a user holding a role in the plan's jurisdiction (or above it)."""
    key = str(getattr(raw.get("owner"), "pk", raw.get("owner")) or "")
    owner = User.objects.filter(pk=int(key)).first() if key.isdigit() else None
    if owner is None or not policy.allowed(owner, "work_plan", "view", jurisdiction=jurisdiction):
        raise ValidationError(
            {
                field: [
                    _("“%(value)s” is not a user of %(place)s.")
                    % {"value": key, "place": jurisdiction}
                ]
            }
        )
    return owner


def _write_parts(plan: WorkPlan, data: dict, targets) -> None:
    """Replace the plan's targets, milestones and tasks by the checked ones."""
    plan.targets.all().delete()
    plan.milestones.all().delete()
    plan.tasks.all().delete()
    for t in targets:
        t.plan = plan
    plan.targets.model.objects.bulk_create(targets)
    for title, due, _raw in _clean_dated(data.get("milestones") or [], "milestones", plan.year):
        Milestone.objects.create(plan=plan, title=title, due_on=due)
    tasks = _clean_dated(data.get("tasks") or [], "tasks", plan.year)
    for i, (title, due, raw) in enumerate(tasks):
        owner = _owner(raw, plan.jurisdiction, f"tasks[{i}].owner")
        PlanTask.objects.create(
            plan=plan, title=title, owner=owner, due_on=due, done=bool(raw.get("done"))
        )


def _check(jurisdiction: Jurisdiction, year: int, data: dict):
    """Every part of ``data`` checked before anything is written (so nothing half-writes)."""
    totals = _clean_totals(data)
    targets = clean_targets(
        data.get("targets") or [],
        jurisdiction,
        {
            Measure.MONEY: totals["money_total"],
            Measure.DEBT: totals["debt_total"],
            Measure.ASSETS: clean_amount(totals["assets_total"], "assets_total"),
        },
    )
    _clean_dated(data.get("milestones") or [], "milestones", year)
    for i, (_title, _due, raw) in enumerate(_clean_dated(data.get("tasks") or [], "tasks", year)):
        _owner(raw, jurisdiction, f"tasks[{i}].owner")
    return totals, targets


def plan_draft(*, actor: User, jurisdiction: Jurisdiction, data: dict) -> WorkPlan:
    """Draft the plan of ``data["year"]``: refused when the year already has an approved plan
    (revise that one) or a plan being worked on."""
    policy.require(actor, "work_plan", "edit", jurisdiction=jurisdiction)
    year = _clean_year(data.get("year"))
    totals, targets = _check(jurisdiction, year, data)
    with transaction.atomic():
        _refuse_taken(jurisdiction, year)
        plan = WorkPlan.objects.create(
            jurisdiction=jurisdiction,
            year=year,
            note=str(data.get("note") or ""),
            created_by=actor,
            **totals,
        )
        _write_parts(plan, data, targets)
        audit_update(plan, actor=actor, action="work_plan.draft", before=None,
                     jurisdiction_path=jurisdiction.path)  # fmt: skip
    return plan


def _refuse_taken(jurisdiction: Jurisdiction, year: int) -> None:
    plans = WorkPlan.objects.select_for_update().filter(jurisdiction=jurisdiction, year=year)
    approved = plans.filter(status=PlanStatus.APPROVED).first()
    if approved is not None:
        raise ValidationError(
            {
                "year": [
                    _(
                        "%(year)s already has an approved plan (version %(number)s); "
                        "revise it instead."
                    )
                    % {"year": year, "number": approved.number}
                ]
            }
        )
    if plans.filter(status__in=OPEN_STATES).exists():
        raise ValidationError(
            {"year": [_("%(year)s already has a plan being drafted or approved.") % {"year": year}]}
        )


def plan_update(*, actor: User, plan: WorkPlan, data: dict) -> WorkPlan:
    """Edit a draft or returned plan (its targets, milestones and tasks are replaced)."""
    policy.require(actor, "work_plan", "edit", jurisdiction=plan.jurisdiction)
    totals, targets = _check(plan.jurisdiction, plan.year, data)
    with transaction.atomic():
        plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            raise ValidationError(
                {
                    "status": [
                        _("A plan that is “%(status)s” cannot be edited.")
                        % {"status": plan.get_status_display()}
                    ]
                }
            )
        before = snapshot(plan)
        for name, value in totals.items():
            setattr(plan, name, value)
        plan.note = str(data.get("note") or "")
        plan.version += 1
        plan.save()
        _write_parts(plan, data, targets)
        audit_update(plan, actor=actor, action="work_plan.update", before=before,
                     jurisdiction_path=plan.jurisdiction.path)  # fmt: skip
    return plan


def plan_submit(*, actor: User, plan: WorkPlan) -> WorkPlan:
    """Send the plan to the head or a deputy (an approval request of purpose ``work_plan``);
    whoever submits cannot decide it (the approvals engine refuses them)."""
    policy.require(actor, "work_plan", "submit", jurisdiction=plan.jurisdiction)
    with transaction.atomic():
        plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        before = snapshot(plan)
        plan.status = workflow.target_of(plan, "submit")
        plan.submitted_by = actor
        plan.version += 1
        plan.save()
        approvals.open_request(
            actor=actor, requested_by=actor, obj=plan, purpose=PURPOSE,
            jurisdiction=plan.jurisdiction, amount=plan.money_total, label=str(plan),
        )  # fmt: skip
        audit_update(plan, actor=actor, action="work_plan.submit", before=before,
                     jurisdiction_path=plan.jurisdiction.path)  # fmt: skip
    return plan


def plan_decided(*, plan_id: int, approved: bool, actor: User) -> WorkPlan | None:
    """The approval's outcome, inside the deciding transaction: approve the plan (the version
    it revises is marked superseded first) or return it to the office."""
    plan = WorkPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None or plan.status != PlanStatus.SUBMITTED:
        return plan
    path = plan.jurisdiction.path
    if approved:
        for old in WorkPlan.objects.select_for_update().filter(
            jurisdiction=plan.jurisdiction, year=plan.year, status=PlanStatus.APPROVED
        ):
            audit_set(old, {"status": workflow.target_of(old, "supersede")}, actor=actor,
                      action="work_plan.supersede", jurisdiction_path=path,
                      also=("updated_at",))  # fmt: skip
    before = snapshot(plan)
    plan.status = workflow.target_of(plan, "approve" if approved else "return")
    plan.version += 1
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"status": [_("%(year)s already has an approved plan.") % {"year": plan.year}]}
        ) from exc
    audit_update(plan, actor=actor, action=f"work_plan.{'approve' if approved else 'return'}",
                 before=before, jurisdiction_path=path)  # fmt: skip
    return plan


def plan_revise(*, actor: User, plan: WorkPlan) -> WorkPlan:
    """A new draft version copying an approved plan; the approved one stays in force (and is
    kept, superseded) until the revision is approved."""
    policy.require(actor, "work_plan", "edit", jurisdiction=plan.jurisdiction)
    with transaction.atomic():
        plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.APPROVED:
            raise ValidationError({"status": [_("Only the approved plan can be revised.")]})
        if WorkPlan.objects.filter(
            jurisdiction=plan.jurisdiction, year=plan.year, status__in=OPEN_STATES
        ).exists():
            raise ValidationError(
                {"status": [_("%(year)s already has a revision under way.") % {"year": plan.year}]}
            )
        last = WorkPlan.objects.filter(jurisdiction=plan.jurisdiction, year=plan.year)
        number = max(last.values_list("number", flat=True)) + 1
        new = WorkPlan.objects.create(
            jurisdiction=plan.jurisdiction, year=plan.year, number=number, previous=plan,
            money_total=plan.money_total, debt_total=plan.debt_total,
            assets_total=plan.assets_total, note=plan.note, created_by=actor,
        )  # fmt: skip
        copies = list(plan.targets.all())
        for t in copies:
            t.pk, t.plan = None, new
        new.targets.model.objects.bulk_create(copies)
        for m in plan.milestones.all():
            Milestone.objects.create(plan=new, title=m.title, due_on=m.due_on)
        for t in plan.tasks.all():
            PlanTask.objects.create(plan=new, title=t.title, owner_id=t.owner_id,
                                    due_on=t.due_on, done=t.done)  # fmt: skip
        audit_update(new, actor=actor, action="work_plan.revise", before=None,
                     jurisdiction_path=plan.jurisdiction.path)  # fmt: skip
    return new


def task_set_done(*, actor: User, task: PlanTask, done: bool) -> PlanTask:
    """Mark a plan's task done (or not yet): its owner or the office; a superseded plan's
    tasks are history and stay as they were."""
    plan = task.plan
    if actor.pk != task.owner_id:
        policy.require(actor, "work_plan", "edit", jurisdiction=plan.jurisdiction)
    with transaction.atomic():
        task = PlanTask.objects.select_for_update().select_related("plan").get(pk=task.pk)
        if task.plan.status == PlanStatus.SUPERSEDED:
            raise ValidationError(
                {"done": [_("The plan was superseded; mark the task on its revision.")]}
            )
        audit_set(task, {"done": bool(done)}, actor=actor, action="work_plan.task_done",
                  jurisdiction_path=plan.jurisdiction.path)  # fmt: skip
    return task
