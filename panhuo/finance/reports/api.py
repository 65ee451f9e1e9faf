"""API of the money reports: overdue expected receipts, and the reconciliation per period."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    referenced_jurisdiction,
    require_any,
)
from panhuo.core.schemas import Id
from panhuo.disposal.selectors import get_project_for
from panhuo.finance.api import ERRORS, router
from panhuo.finance.instalments import instalment_plan_set, plan_lines
from panhuo.finance.reports.schemas import (
    OverdueFilters,
    OverdueReceiptOut,
    PlanIn,
    PlanOut,
    ReconciliationOut,
    ReconciliationQuery,
)
from panhuo.finance.reports.selectors import overdue_receipts, reconciliation
from panhuo.organisation import policy


def _jurisdiction(user, pk):
    if pk is None:
        return None
    return referenced_jurisdiction(user, pk)


@router.get(
    "/reports/overdue-receipts", response={200: list[OverdueReceiptOut], **ERRORS}, tags=["reports"]
)
@paginate(PagePagination)
def overdue_receipt_index(request: HttpRequest, filters: Query[OverdueFilters]):
    """Every expected receipt due before today and not covered by its project's receipts."""
    require_any(request, "receipt", "view")
    user = actor(request)
    data = filters.dict()
    data["jurisdiction"] = _jurisdiction(user, data["jurisdiction"])
    data["kind"] = data["kind"] or ""
    data["q"] = data["q"] or ""
    return overdue_receipts(user, today=timezone.localdate(), **data)


@router.get(
    "/reports/reconciliation", response={200: ReconciliationOut, **ERRORS}, tags=["reports"]
)
def reconciliation_report(request: HttpRequest, query: Query[ReconciliationQuery]):
    """Received, allocated, reversed, repaid and unallocated per period, with deposits held;
    ``opening + received − net_allocated = closing`` holds for every period."""
    require_any(request, "receipt", "view")
    user = actor(request)
    today = timezone.localdate()
    jurisdiction = _jurisdiction(user, query.jurisdiction)
    report = reconciliation(
        user,
        start=query.start or dt.date(today.year, 1, 1),
        end=query.end or today,
        granularity=query.granularity,
        jurisdiction=jurisdiction,
    )
    return {
        "granularity": report.granularity,
        "start": report.start,
        "end": report.end,
        "jurisdiction_id": jurisdiction.pk if jurisdiction else None,
        "reconciles": report.reconciles,
        "rows": report.rows,
        "totals": report.totals,
    }


# --- Payment plans of sales ---------------------------------------------------------------------


def _plan(user, project) -> dict:
    if not policy.allowed(user, "receipt", "view", jurisdiction=project.jurisdiction):
        raise policy.NotPermitted(_("You may not read this project's money."))
    rows = [
        {
            "expected_id": p.line.expected.pk,
            "due_date": p.line.expected.due_date,
            "label": p.line.expected.label,
            "amount": p.line.expected.amount,
            "paid": p.line.paid,
            "outstanding": p.line.due,
            "state": p.line.state,
            "overdue": p.overdue,
            "working_days_late": p.working_days_late,
        }
        for p in plan_lines(project, today=timezone.localdate())
    ]
    return {"project_id": project.pk, "deal_price": project.deal_price, "rows": rows}


@router.get(
    "/projects/{project_id}/instalment-plan", response={200: PlanOut, **ERRORS}, tags=["receipts"]
)
def instalment_plan(request: HttpRequest, project_id: Id):
    """A sale's payment plan: each row with what covers it; overdue rows say how many working
    days late they are."""
    require_any(request, "receipt", "view")
    user = actor(request)
    return _plan(user, get_project_for(user, project_id))


@router.put(
    "/projects/{project_id}/instalment-plan", response={200: PlanOut, **ERRORS}, tags=["receipts"]
)
def instalment_plan_put(request: HttpRequest, project_id: Id, payload: PlanIn):
    """Set how the buyer of a concluded sale pays: one row in full within the payment term, or
    at least the down payment share within it and instalments with interest within a year.
    The rows add up to the deal price; a refusal names the row and field."""
    require_any(request, "receipt", "create")
    user = actor(request)
    project = get_project_for(user, project_id)
    instalment_plan_set(
        actor=user,
        project=project,
        rows=[r.dict() for r in payload.rows],
        interest_rate=payload.interest_rate,
        security_kind=payload.security_kind or "",
        security_reference=payload.security_reference,
    )
    return _plan(user, get_project_for(user, project_id))
