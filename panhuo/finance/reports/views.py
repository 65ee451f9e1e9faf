"""Pages of the money reports: overdue expected receipts and the reconciliation per period."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.core.lists import Column, ObjectList
from panhuo.core.money import ZERO
from panhuo.core.ui import csv_response, section_required
from panhuo.finance.expected_models import ExpectedKind
from panhuo.finance.exports import xlsx_response
from panhuo.finance.models import BudgetClass, DebtType, ReceiptKind
from panhuo.finance.reports.forms import OverdueFilterForm, ReconciliationForm
from panhuo.finance.reports.selectors import OVERDUE_ORDERINGS, overdue_receipts, reconciliation


def _export(request, name: str, sheet: str, header: list[str], rows):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"{name}-{stamp}.xlsx", sheet, header, rows)
    return csv_response(f"{name}-{stamp}.csv", header, rows)


def _overdue_kind(r) -> str:
    return str(dict(ExpectedKind.choices).get(r.kind, r.kind))


class OverdueList(ObjectList):
    """Every expected receipt past due and unpaid, across the projects the caller reads."""

    target, resource, url_name = "overdue-receipts", "receipt", "overdue-receipts"
    template, filter_form = "finance/overdue_receipts.html", OverdueFilterForm
    rows, orderings = overdue_receipts, OVERDUE_ORDERINGS
    export_name = "overdue-receipts"
    columns = [
        Column("project", _l("Project"), "project_code"),
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction_name"),
        Column("buyer", _l("Buyer")),
        Column("kind", _l("Kind"), _overdue_kind),
        Column("label", _l("Label"), show=False),
        Column("due_date", _l("Due date")),
        Column("amount", _l("Amount (yuan)"), numeric=True),
        Column("paid", _l("Paid (yuan)"), numeric=True),
        Column("outstanding", _l("Outstanding (yuan)"), numeric=True),
        Column("working_days_overdue", _l("Working days overdue"), numeric=True),
        Column("days_overdue", _l("Calendar days overdue"), numeric=True, show=False),
    ]

    def get_queryset(self, filters: dict):
        return overdue_receipts(self.user, today=timezone.localdate(), **filters)

    def extra_context(self, rows) -> dict:
        return {"total": sum((r.outstanding for r in rows), ZERO), "today": timezone.localdate()}


overdue_receipts_view = OverdueList.as_view()


def reconciliation_columns():
    """(label, getter) of every column of the exported reconciliation."""
    cols = [
        (_("Period"), lambda r: r.label),
        (_("From"), lambda r: r.start.isoformat()),
        (_("To"), lambda r: r.end.isoformat()),
        (_("Unallocated at start (yuan)"), lambda r: r.opening),
        (_("Received (yuan)"), lambda r: r.received),
    ]
    cols += _per_kind(_("Received: %(kind)s"), _receipt_kinds(), "received_by_kind")
    cols += _per_kind(_("Received: %(kind)s"), BudgetClass.choices, "received_by_class")
    cols += [
        (_("Allocated (yuan)"), lambda r: r.allocated),
        (_("Reversed (yuan)"), lambda r: r.reversed),
        (_("Repaid, net (yuan)"), lambda r: r.net_allocated),
    ]
    cols += _per_kind(_("Repaid: %(kind)s"), DebtType.choices, "repaid_by_type")
    cols += [
        (_("Unallocated at end (yuan)"), lambda r: r.closing),
        (_("Deposits held at end (yuan)"), lambda r: r.deposits_held),
        (_("Reconciles"), lambda r: _("yes") if r.reconciles else _("NO")),
    ]
    return cols


def _per_kind(title: str, choices, figures: str) -> list:
    """One column per choice: the period's ``figures`` (a dict by kind) of that kind."""
    return [
        (title % {"kind": label}, lambda r, v=value: getattr(r, figures).get(v, ZERO))
        for value, label in choices
    ]


def _receipt_kinds():
    return ReceiptKind.choices


def _breakdown(values: dict, choices) -> list[tuple[str, Decimal]]:
    return [(label, values.get(v, ZERO)) for v, label in choices if values.get(v)]


@section_required("receipt")
def reconciliation_view(request):
    """Received, allocated, reversed and unallocated per period, with totals that reconcile."""
    form = ReconciliationForm(request.GET or None, user=request.user)
    report = reconciliation(request.user, **form.values())
    if request.GET.get("format") in ("csv", "xlsx"):
        cols = reconciliation_columns()
        lines = [[get(r) for _label, get in cols] for r in [*report.rows, report.totals]]
        lines[-1][0] = _("Total")
        return _export(request, "reconciliation", "reconciliation", [c for c, _g in cols], lines)
    t = report.totals
    return render(
        request,
        "finance/reconciliation.html",
        {
            "form": form,
            "report": report,
            "by_kind": _breakdown(t.received_by_kind, _receipt_kinds()),
            "by_class": _breakdown(t.received_by_class, BudgetClass.choices),
            "by_type": _breakdown(t.repaid_by_type, DebtType.choices),
        },
    )
