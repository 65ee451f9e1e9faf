"""Finance's roll-ups (``MoneyRollup``, ``DebtRollup``), kept in the same transaction as each
write that changes them (README, "Roll-ups"), read by the dashboard summed up the tree.

* ``receipt_added`` / ``allocated``: deltas, from receipt_create (and a deposit's receipt) and
  allocation_create / allocation_reverse — what each write moved, known exactly there;
* ``refresh_debts(jurisdiction_ids)``: recomputes the places' debt rows (a place holds a few
  thousand debts at most), from every write to a debt: its creation, edit, import, voiding
  and every ledger entry (``post_entry``, which moves its outstanding amount);
* ``refresh(jurisdiction_ids)``: both roll-ups recomputed, for any bulk writer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, Count, F, Sum, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from panhuo.core import rollups
from panhuo.finance.models import Allocation, Debt, DebtRollup, MoneyRollup, Receipt
from panhuo.organisation import policy
from panhuo.organisation.rollups import per_place


def _money(ids: list[int] | None):
    receipts = Receipt.objects.all()
    allocations = Allocation.objects.all()
    if ids is not None:
        receipts = receipts.filter(project__package__jurisdiction_id__in=ids)
        allocations = allocations.filter(debt__jurisdiction_id__in=ids)
    rows: dict[int, dict] = defaultdict(
        lambda: {"received": Decimal(0), "allocated": Decimal(0), "repaid": Decimal(0)}
    )
    for r in (
        receipts.values(j=F("project__package__jurisdiction_id"))
        .annotate(received=Sum("amount"), allocated=Sum("allocated"))
        .order_by()
    ):
        rows[r["j"]].update(received=r["received"], allocated=r["allocated"])
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))
    for r in allocations.values(j=F("debt__jurisdiction_id")).annotate(s=Sum(signed)).order_by():
        rows[r["j"]]["repaid"] = r["s"]
    return [{"jurisdiction_id": j, **v} for j, v in rows.items()]


def _debts(ids: list[int] | None):
    qs = Debt.objects.active()
    if ids is not None:
        qs = qs.filter(jurisdiction_id__in=ids)
    return (
        qs.values("jurisdiction_id", "debt_type", maturity_year=ExtractYear("maturity_date"))
        .annotate(n=Count("id"), principal=Sum("principal"), outstanding=Sum("outstanding"))
        .order_by()
    )


MONEY = per_place("money", MoneyRollup, ("received", "allocated", "repaid"), _money)
DEBTS = per_place("debts", DebtRollup, ("n", "principal", "outstanding"), _debts)


def receipt_added(receipt: Receipt, jurisdiction_id: int) -> None:
    rollups.add(MONEY, {(jurisdiction_id,): {"received": receipt.amount}})


def allocated(amount: Decimal, receipt_jurisdiction: int, debt_jurisdiction: int) -> None:
    """``amount`` allocated (negative: an allocation reversed) from a receipt of one place to a
    debt of another (or the same)."""
    deltas: dict[tuple, dict] = defaultdict(dict)
    deltas[(receipt_jurisdiction,)]["allocated"] = amount
    deltas[(debt_jurisdiction,)]["repaid"] = amount
    rollups.add(MONEY, deltas)


def refresh_debts(jurisdiction_ids: Iterable[int]) -> None:
    rollups.refresh(DEBTS, jurisdiction_ids)


def refresh(jurisdiction_ids: Iterable[int]) -> None:
    """Both roll-ups of these places recomputed from the base tables (bulk writers)."""
    ids = list(jurisdiction_ids)
    rollups.refresh(MONEY, ids)
    rollups.refresh(DEBTS, ids)


def money_figures(user) -> dict[str, Decimal]:
    """Received, allocated, repaid, debt principal and outstanding over the places the user may
    view each of (receipts, allocations, debts), summed up the jurisdiction tree."""
    zero = Decimal("0.00")
    path = "jurisdiction__path"
    m = MoneyRollup.objects.aggregate(
        received=Sum("received", filter=policy.scope_q(user, "receipt", "view", path=path)),
        allocated=Sum("allocated", filter=policy.scope_q(user, "receipt", "view", path=path)),
        repaid=Sum("repaid", filter=policy.scope_q(user, "allocation", "view", path=path)),
    )
    d = DebtRollup.objects.filter(policy.scope_q(user, "debt", "view", path=path)).aggregate(
        principal=Sum("principal"), outstanding=Sum("outstanding")
    )
    return {
        "received": m["received"] or zero,
        "allocated": m["allocated"] or zero,
        "debt_principal": d["principal"] or zero,
        "debt_outstanding": d["outstanding"] or zero,
        "repaid": m["repaid"] or zero,
    }


def outstanding_by_maturity_year(user, jurisdiction) -> dict[int, Decimal]:
    """Active debts' outstanding by maturity year in ``jurisdiction`` and below, over the
    places the user may view debts of; summed in Python (exact on SQLite too)."""
    path = "jurisdiction__path"
    rows = DebtRollup.objects.filter(
        policy.scope_q(user, "debt", "view", path=path),
        jurisdiction__path__startswith=jurisdiction.path,
    ).values_list("maturity_year", "outstanding")
    out: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for year, outstanding in rows:
        out[year] += outstanding
    return out


#: Maturity buckets, in years from today's year: (label key, first, last) — None is open.
BUCKETS = (
    ("past", None, -1),
    ("this_year", 0, 0),
    ("1_2", 1, 2),
    ("3_5", 3, 5),
    ("later", 6, None),
)


def debts_by_type_and_maturity(user, today: dt.date | None = None) -> dict[tuple[str, str], dict]:
    """Active debts' count, principal and outstanding by (type, maturity bucket) over the places
    the user may view debts of; buckets are counted from this year at read time."""
    year = (today or timezone.localdate()).year
    out: dict[tuple[str, str], dict] = {}
    rows = (
        DebtRollup.objects.filter(policy.scope_q(user, "debt", "view", path="jurisdiction__path"))
        .values("debt_type", "maturity_year")
        .annotate(n=Sum("n"), principal=Sum("principal"), outstanding=Sum("outstanding"))
        .order_by()
    )
    for r in rows:
        ahead = r["maturity_year"] - year
        bucket = next(
            b
            for b, lo, hi in BUCKETS
            if (lo is None or ahead >= lo) and (hi is None or ahead <= hi)
        )
        cell = out.setdefault(
            (r["debt_type"], bucket), {"n": 0, "principal": Decimal(0), "outstanding": Decimal(0)}
        )
        for f in ("n", "principal", "outstanding"):
            cell[f] += r[f]
    return out
