"""Reads of receipts, debts and allocations, scoped to the caller."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from panhuo.finance.models import Allocation, Debt, Receipt

DEBT_ORDERINGS = {
    "code": "code",
    "creditor": "creditor",
    "type": "debt_type",
    "principal": "principal",
    "outstanding": "outstanding",
    "rate": "rate",
    "maturity_date": "maturity_date",
    "issue_date": "issue_date",
}
RECEIPT_ORDERINGS = {
    "received_on": "received_on",
    "amount": "amount",
    "voucher": "voucher",
    "allocated": "allocated",
}


def _pk(pk, model):
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise model.DoesNotExist from None


def get_debt_for(user, pk) -> Debt:
    return Debt.objects.visible_to(user).select_related("jurisdiction").get(pk=_pk(pk, Debt))


def get_receipt_for(user, pk) -> Receipt:
    return (
        Receipt.objects.visible_to(user)
        .select_related("project__package__jurisdiction", "recorded_by")
        .get(pk=_pk(pk, Receipt))
    )


def debt_list(
    user,
    *,
    q: str = "",
    debt_type: str = "",
    jurisdiction: int | None = None,
    open_only: bool = False,
    ordering: str = "maturity_date",
) -> QuerySet[Debt]:
    qs = Debt.objects.visible_to(user).select_related("jurisdiction")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(creditor__icontains=q))
    if debt_type:
        qs = qs.filter(debt_type=debt_type)
    if jurisdiction:
        qs = qs.filter(jurisdiction_id=jurisdiction)
    if open_only:
        qs = qs.filter(outstanding__gt=0)
    desc = ordering.startswith("-")
    key = DEBT_ORDERINGS.get(ordering.lstrip("-"), "maturity_date")
    return qs.order_by(("-" if desc else "") + key, "pk")


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
    if q:
        qs = qs.filter(Q(voucher__icontains=q) | Q(project__code__icontains=q))
    if budget_class:
        qs = qs.filter(budget_class=budget_class)
    if project:
        qs = qs.filter(project_id=project)
    if unallocated_only:
        from django.db.models import F

        qs = qs.filter(allocated__lt=F("amount"))
    desc = ordering.startswith("-")
    key = RECEIPT_ORDERINGS.get(ordering.lstrip("-"), "received_on")
    return qs.order_by(("-" if desc else "") + key, "-pk")


def allocation_list(user, *, receipt: int | None = None, debt: int | None = None):
    qs = Allocation.objects.visible_to(user).select_related("receipt", "debt", "allocated_by")
    if receipt:
        qs = qs.filter(receipt_id=receipt)
    if debt:
        qs = qs.filter(debt_id=debt)
    return qs.order_by("-allocated_on", "-pk")


def money_summary(user) -> dict[str, Decimal]:
    """Raised, allocated, debt outstanding and repaid through Panhuo, for the dashboard."""
    zero = Decimal("0.00")
    r = Receipt.objects.visible_to(user).aggregate(received=Sum("amount"), alloc=Sum("allocated"))
    d = Debt.objects.visible_to(user).aggregate(
        principal=Sum("principal"), outstanding=Sum("outstanding")
    )
    repaid = Allocation.objects.visible_to(user).net_total()
    return {
        "received": r["received"] or zero,
        "allocated": r["alloc"] or zero,
        "debt_principal": d["principal"] or zero,
        "debt_outstanding": d["outstanding"] or zero,
        "repaid": repaid or zero,
    }
