"""API of the money reports: overdue expected receipts, and the reconciliation per period."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, referenced, require_any, visible_jurisdiction
from panhuo.finance.api import ERRORS, router
from panhuo.finance.report_schemas import (
    OverdueFilters,
    OverdueOut,
    ReconciliationOut,
    ReconciliationQuery,
)
from panhuo.finance.reports import overdue_receipts, reconciliation


def _jurisdiction(user, pk):
    if pk is None:
        return None
    return referenced("jurisdiction", "jurisdiction", visible_jurisdiction, user, pk)


@router.get(
    "/reports/overdue-receipts", response={200: list[OverdueOut], **ERRORS}, tags=["reports"]
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
