"""API of the disposal plan optimiser (issue 20, item 2): queue a run (plan_run.create, with
package.view and debt.view in the place), read runs and their progress and plan
(plan_run.view), cancel one, adopt a done plan (plan_run.adopt: the office; it opens the plan's
draft disposal projects)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from panhuo.core.api import actor, require_any
from panhuo.core.schemas import ERRORS, Id
from panhuo.decisions.optimiser import runs
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.finance.api import debt_place
from panhuo.organisation import policy

router = Router(tags=["decisions"])


class OptimiseIn(Schema):
    """The place (else the widest whose debts the caller reads), the plan date (today), and the
    parameters (else the defaults: 12 quarters, no buffer, no opening cash, absorption 50 % of
    a kind's proceeds a quarter, 30 s, a 0.1 % gap)."""

    jurisdiction: int | None = None
    on: dt.date | None = None
    horizon: int | None = None
    buffer: Decimal | None = None
    opening: Decimal | None = None
    absorption_pct: Decimal | None = None
    time_limit: int | None = None
    gap_pct: Decimal | None = None
    approval_days: int | None = Field(
        None, description="Calendar days an approval takes, for every package (0 to 365); "
        "null: each package's price rules (approval_days, 30 by default).",
    )  # fmt: skip
    finance_approval_days: int | None = Field(
        None, description="Calendar days the finance bureau's approval takes above the rule "
        "set's threshold, for every package (0 to 365); null: each package's price rules "
        "(finance_approval_days, 60 by default).",
    )  # fmt: skip


def run_json(run: OptimiserRun) -> dict[str, Any]:
    return {"id": run.pk, "status": run.status, "status_label": run.get_status_display(),
            "jurisdiction_id": run.jurisdiction_id, "on": run.on.isoformat(),
            "params": run.params, "message": run.message, "progress": runs.progress(run),
            "created_at": run.created_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "adopted_at": run.adopted_at.isoformat() if run.adopted_at else None,
            "result": run.result}  # fmt: skip


def _get(request: HttpRequest, run_id: int) -> OptimiserRun:
    require_any(request, "plan_run", "view")
    run = OptimiserRun.objects.visible_to(actor(request)).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


@router.post("/optimiser/runs", response={201: dict[str, Any], **ERRORS})
def optimiser_run_create(request: HttpRequest, payload: OptimiseIn):
    """Queue a run of the optimiser; the worker solves it (read its progress and plan with GET).
    Bad input (a parameter out of bounds, a debt without a schedule, a horizon with no debt
    service) is a 400 naming the field; nothing is written."""
    require_any(request, "plan_run", "create")
    user = actor(request)
    place = debt_place(user, payload.jurisdiction)
    if place is None:
        raise policy.NotPermitted(policy.refusal("debt", "view", one=False))
    params = payload.dict(exclude={"jurisdiction", "on"})
    run = runs.run_create(actor=user, place=place, on=payload.on or timezone.localdate(),
                          params=params)  # fmt: skip
    return Status(201, run_json(run))


@router.get("/optimiser/runs", response={200: list[dict[str, Any]], **ERRORS})
def optimiser_run_list(request: HttpRequest):
    """The latest 50 runs the caller may read (without their plans)."""
    require_any(request, "plan_run", "view")
    qs = OptimiserRun.objects.visible_to(actor(request)).order_by("-pk")[:50]
    return [{**run_json(r), "result": {}} for r in qs]


@router.get("/optimiser/runs/{run_id}", response={200: dict[str, Any], **ERRORS})
def optimiser_run_get(request: HttpRequest, run_id: Id):
    """One run: its status, progress, and once done the plan: packages by quarter and channel,
    each quarter's cash, carry, debt service, binding or not and shadow price, the gap, and the
    greedy baseline; or which quarter cannot be covered, by how much and what would cover it."""
    return run_json(_get(request, run_id))


@router.post("/optimiser/runs/{run_id}/cancel", response={200: dict[str, Any], **ERRORS})
def optimiser_run_cancel(request: HttpRequest, run_id: Id):
    """Ask the worker to stop the run (a queued run is cancelled at once)."""
    run = _get(request, run_id)
    runs.run_cancel(actor=actor(request), run=run)
    return run_json(run)


@router.post("/optimiser/runs/{run_id}/adopt", response={200: dict[str, Any], **ERRORS})
def optimiser_run_adopt(request: HttpRequest, run_id: Id):
    """Adopt a done plan: a draft disposal project per chosen package, by its channel."""
    run = _get(request, run_id)
    projects = runs.run_adopt(actor=actor(request), run=run)
    made = [{"id": p.pk, "code": p.code, "channel": p.channel, "package_id": p.package_id}
            for p in projects]  # fmt: skip
    return {**run_json(run), "projects": made}
