"""Reads of the deposit ledger, scoped to the caller."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from panhuo.core.querying import narrowed, ordered, visible_one
from panhuo.finance.deposits.models import Deposit, DepositStatus

DEPOSIT_ORDERINGS = {
    "received_on": "received_on",
    "amount": "amount",
    "bidder": "bidder",
    "status": "status",
    "voucher": "voucher",
    "project": "project__code",
    "closed_on": "closed_on",
}


def get_deposit_for(user, pk) -> Deposit:
    return visible_one(
        Deposit, user, pk, "project__package__jurisdiction", "round", "receipt", "recorded_by"
    )


def deposit_list(
    user,
    *,
    q: str = "",
    status: str = "",
    project: int | None = None,
    jurisdiction=None,
    ordering: str = "-received_on",
) -> QuerySet[Deposit]:
    qs = Deposit.objects.visible_to(user).select_related("project__package__jurisdiction")
    search = ("bidder", "voucher", "project__code")
    qs = narrowed(qs, q=q, search=search, status=status, project_id=project)
    if jurisdiction is not None:
        qs = qs.filter(project__package__jurisdiction__path__startswith=jurisdiction.path)
    return ordered(qs, ordering, DEPOSIT_ORDERINGS, "received_on", tiebreak="-pk")


def deposit_totals(qs) -> dict[str, Decimal]:
    """The amount of ``qs`` in each status (zero where none)."""
    rows = dict(qs.order_by().values_list("status").annotate(s=Sum("amount")))
    return {s.value: rows.get(s.value) or Decimal("0.00") for s in DepositStatus}
