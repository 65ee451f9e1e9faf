"""Reads of receipts, debts and allocations, scoped to the caller."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet

from panhuo.core.querying import narrowed, ordered, visible_one
from panhuo.finance.models import Allocation, Debt, Receipt
from panhuo.finance.rollups import money_figures

DEBT_ORDERINGS = {
    "code": "code",
    "creditor": "creditor",
    "type": "debt_type",
    "principal": "principal",
    "outstanding": "outstanding",
    "rate": "rate",
    "maturity_date": "maturity_date",
    "issue_date": "issue_date",
    "liability_class": "liability_class",
}
ALLOCATION_ORDERINGS = {
    "allocated_on": "allocated_on",
    "amount": "amount",
    "receipt": "receipt__voucher",
    "debt": "debt__code",
    "id": "pk",
}
RECEIPT_ORDERINGS = {
    "received_on": "received_on",
    "amount": "amount",
    "voucher": "voucher",
    "allocated": "allocated",
}


def get_debt_for(user, pk) -> Debt:
    return visible_one(Debt, user, pk, "jurisdiction")


def get_receipt_for(user, pk) -> Receipt:
    return visible_one(Receipt, user, pk, "project__package__jurisdiction", "recorded_by")


def debt_list(
    user,
    *,
    q: str = "",
    debt_type: str = "",
    jurisdiction: int | None = None,
    liability_class: str = "",
    bond_purpose: str = "",
    project_sector: str = "",
    repayment_source: str = "",
    open_only: bool = False,
    voided: str = "",
    ordering: str = "maturity_date",
) -> QuerySet[Debt]:
    """The debt register the reader may see. Voided debts are left out unless ``voided`` is
    "include" (all) or "only" (just them): a mistake kept for the record, not a debt."""
    qs = Debt.objects.visible_to(user).select_related("jurisdiction")
    if voided == "only":
        qs = qs.filter(voided_at__isnull=False)
    elif voided != "include":
        qs = qs.active()
    qs = narrowed(
        qs,
        q=q,
        search=("code", "creditor", "bond_code", "borrower", "project_name"),
        debt_type=debt_type,
        jurisdiction_id=jurisdiction,
        liability_class=liability_class,
        bond_purpose=bond_purpose,
        project_sector=project_sector,
        repayment_source=repayment_source,
    )
    if open_only:
        qs = qs.filter(outstanding__gt=0)
    return ordered(qs, ordering, DEBT_ORDERINGS, "maturity_date")


def receipt_list(
    user,
    *,
    q: str = "",
    budget_class: str = "",
    project: int | None = None,
    unallocated_only: bool = False,
    ordering: str = "-received_on",
):
    qs = Receipt.objects.visible_to(user).select_related("project")
    qs = narrowed(
        qs, q=q, search=("voucher", "project__code"), budget_class=budget_class, project_id=project
    )
    if unallocated_only:
        from django.db.models import F

        qs = qs.filter(allocated__lt=F("amount"))
    return ordered(qs, ordering, RECEIPT_ORDERINGS, "received_on", tiebreak="-pk")


def allocation_list(
    user,
    *,
    q: str = "",
    receipt: int | None = None,
    debt: int | None = None,
    project: int | None = None,
    entries: str = "",
    allocated_from: dt.date | None = None,
    allocated_to: dt.date | None = None,
    ordering: str = "-allocated_on",
):
    """The allocation ledger the reader may see: ``entries`` "allocations" leaves out the
    reversals, "reversals" keeps only them (a reversal is its own, opposite entry)."""
    qs = Allocation.objects.visible_to(user).select_related(
        "receipt__project", "debt", "allocated_by", "reverses"
    )
    qs = narrowed(
        qs,
        q=q,
        search=("receipt__voucher", "receipt__project__code", "debt__code", "debt__creditor"),
        receipt_id=receipt,
        debt_id=debt,
        receipt__project_id=project,
        allocated_on__gte=allocated_from,
        allocated_on__lte=allocated_to,
    )
    if entries == "allocations":
        qs = qs.filter(reverses__isnull=True)
    elif entries == "reversals":
        qs = qs.filter(reverses__isnull=False)
    return ordered(qs, ordering, ALLOCATION_ORDERINGS, "allocated_on", tiebreak="-pk")


def money_summary(user) -> dict[str, Decimal]:
    """Raised, allocated, debt outstanding and repaid through Panhuo, for the dashboard: read
    from finance's roll-ups (``finance.rollups``), summed over the places the user may see."""
    return money_figures(user)
