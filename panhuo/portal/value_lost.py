"""The value-destroying sales of a district as the public accountability page shows them, as of
a date: each flagged sale that has a published result notice, with its figures that are public
— the lot and its assets as the result notice names them, the deal price and day, decision
support's value of holding, the interest the repayments save and the value the sale destroyed
(from the flag's evidence as the audit log holds it on the date,
``flags.selectors.evidence_as_of``), and the debts its money repaid by type with the amounts —
and the same debts summed by type over all of them.

Nothing else leaves: a debt is named by its type, and by its code only when it is a bond (a
bond's code is public); never its creditor, a loan's or arrears' code, the income or the costs
of the assets, the buyer or the auditor's comment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, When
from django.utils import timezone

from panhuo.finance.models import Allocation, DebtType
from panhuo.flags.models import Flag, FlagStatus
from panhuo.flags.selectors import evidence_as_of
from panhuo.flags.value import DESTROYING
from panhuo.organisation.models import Jurisdiction
from panhuo.portal.models import Notice, NoticeKind

CENT = Decimal("0.01")
#: Debts whose code is public (a bond is listed and its code published).
BONDS = {DebtType.GENERAL_BOND, DebtType.SPECIAL_BOND, DebtType.LGFV_BOND,
         DebtType.GOVERNMENT_BOND}  # fmt: skip


@dataclass
class Repaid:
    debt_type: str
    bond_code: str
    amount: Decimal


@dataclass
class LostSale:
    notice_code: str
    title: str
    assets: list[str]
    deal_price: Decimal | None
    deal_on: str | None
    hold_value: Decimal | None
    value_destroyed: Decimal | None
    resolved: bool
    #: Decision support's interest the repayments save (worth on the deal day); None unvalued.
    interest_saved: Decimal | None = None
    debts: list[Repaid] = field(default_factory=list)


def _money(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(CENT)


def _repaid(project_ids, as_of: dt.date) -> dict[int, list[Repaid]]:
    """Per project: its money allocated up to ``as_of``, net of reversals, by debt type (and
    bond code for a bond)."""
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"),
                  output_field=DecimalField(max_digits=20, decimal_places=2))  # fmt: skip
    rows = (
        Allocation.objects.filter(receipt__project_id__in=project_ids, allocated_on__lte=as_of)
        .values("receipt__project_id", "debt__debt_type", "debt__bond_code")
        .annotate(s=Sum(signed))
        .order_by("receipt__project_id", "debt__debt_type", "debt__bond_code")
    )
    names = dict(DebtType.choices)
    out: dict[int, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        kind = r["debt__debt_type"]
        code = r["debt__bond_code"] if kind in BONDS else ""
        out[r["receipt__project_id"]][kind, code] += Decimal(r["s"] or 0)
    return {
        pid: [Repaid(str(names.get(k, k)), code, s.quantize(CENT))
              for (k, code), s in per.items() if s > 0]
        for pid, per in out.items()
    }  # fmt: skip


def value_lost(place: Jurisdiction, as_of: dt.date) -> list[LostSale]:
    """The district's value-destroying sales first flagged up to ``as_of`` and not cleared by
    then, whose result notice was up by then, largest value destroyed first."""
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    flags = {
        int(f.subject_id): f
        for f in Flag.objects.filter(
            rule=DESTROYING, jurisdiction__path__startswith=place.path, first_seen__lt=end
        ).only("subject_id", "status", "cleared_at", "resolved_at")
        if not (f.status == FlagStatus.CLEARED and f.cleared_at and f.cleared_at < end)
    }
    # The figures as they stood on the day, not as the latest recompute left them.
    evidence = evidence_as_of([f.pk for f in flags.values()], end)
    notices = Notice.objects.filter(
        project_id__in=list(flags), kind=NoticeKind.RESULT, current=True, starts_on__lte=as_of
    ).only("project_id", "code", "data")
    repaid = _repaid([n.project_id for n in notices], as_of)
    out = []
    for n in notices:
        f, data = flags[n.project_id], n.data
        shown = evidence.get(f.pk, {})
        out.append(LostSale(
            notice_code=n.code, title=data.get("title", ""),
            assets=[a.get("name", "") for a in data.get("assets", [])],
            deal_price=_money(data.get("deal_price")), deal_on=data.get("deal_on"),
            hold_value=_money(shown.get("hold_value")),
            value_destroyed=_money(shown.get("value_destroyed")),
            interest_saved=_money(shown.get("interest_saved_npv")),
            resolved=f.status == FlagStatus.RESOLVED and bool(f.resolved_at)
            and f.resolved_at < end,
            debts=repaid.get(n.project_id, []),
        ))  # fmt: skip
    return sorted(out, key=lambda s: (-(s.value_destroyed or 0), s.notice_code))


def by_type(sales: list[LostSale]) -> list[Repaid]:
    """The debts the value-destroying sales' money repaid, summed by type (bonds by code)."""
    total: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for s in sales:
        for d in s.debts:
            total[d.debt_type, d.bond_code] += d.amount
    return [Repaid(t, c, a) for (t, c), a in sorted(total.items())]
