"""Debt risk indicators of a jurisdiction on a date (DESIGN.md §2, "Debt risk").

``compute`` is the definition: a pure function of the debts' facts and the year's fiscal
inputs. ``indicators_for`` gathers those facts from the database with aggregate queries; the
tests check that it always equals ``compute`` run on the raw rows.

- debt ratio = balance of government debt (general and special bonds, hidden debt) ÷
  comprehensive fiscal capacity; tiers green < 120 %, yellow < 200 %, orange < 300 %, red;
- overdue ratio = principal past due and unpaid ÷ all outstanding; tiers none < 10 %,
  initial < 20 %, medium ≤ 50 %, severe above;
- interest burden = interest due in the next 12 months ÷ budget expenditure; over 10 % triggers;
- weighted average rate, average years to maturity, share maturing within a year and share at a
  fixed rate, all weighted by outstanding amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

GOVERNMENT_DEBT = frozenset({"general_bond", "special_bond", "hidden"})
INTEREST_TRIGGER = Decimal(10)
ZERO = Decimal("0.00")
Q4 = Decimal("0.0001")


@dataclass(frozen=True)
class DebtFacts:
    """What the indicators need of one debt."""

    debt_type: str
    principal: Decimal
    outstanding: Decimal
    rate: Decimal  # percent
    rate_type: str
    maturity_date: dt.date
    # (due date, principal, interest) rows; empty means a bullet at maturity.
    schedule: tuple[tuple[dt.date, Decimal, Decimal], ...] = ()


@dataclass
class Indicators:
    as_of: dt.date
    outstanding: Decimal = ZERO
    government_debt: Decimal = ZERO
    capacity: Decimal | None = None
    debt_ratio: Decimal | None = None  # percent
    debt_ratio_tier: str | None = None
    overdue: Decimal = ZERO
    overdue_ratio: Decimal | None = None
    overdue_tier: str | None = None
    interest_next_year: Decimal = ZERO
    budget_expenditure: Decimal | None = None
    interest_burden: Decimal | None = None
    interest_trigger: bool = False
    weighted_rate: Decimal | None = None
    average_years_to_maturity: Decimal | None = None
    share_within_year: Decimal | None = None
    share_fixed: Decimal | None = None
    debts: int = 0
    notes: list[str] = field(default_factory=list)


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else (Decimal(100) * part / whole).quantize(Q4, ROUND_HALF_UP)


def debt_ratio_tier(ratio: Decimal | None) -> str | None:
    """green < 120 %, yellow 120–200 %, orange 200–300 %, red ≥ 300 %."""
    if ratio is None:
        return None
    return (
        "green" if ratio < 120 else "yellow" if ratio < 200 else "orange" if ratio < 300 else "red"
    )


def overdue_tier(ratio: Decimal | None) -> str | None:
    """none < 10 %, initial 10–20 %, medium 20–50 %, severe > 50 %."""
    if ratio is None:
        return None
    return (
        "none" if ratio < 10 else "initial" if ratio < 20 else "medium" if ratio <= 50 else "severe"
    )


def _due_by(f: DebtFacts, day: dt.date) -> Decimal:
    if f.schedule:
        return sum((p for d, p, _i in f.schedule if d <= day), ZERO)
    return f.principal if f.maturity_date <= day else ZERO


def _interest_between(f: DebtFacts, start: dt.date, end: dt.date) -> Decimal:
    if f.schedule:
        return sum((i for d, _p, i in f.schedule if start < d <= end), ZERO)
    # No schedule: a year's simple interest on what is outstanding, if it lives that long.
    if f.maturity_date <= start:
        return ZERO
    return (f.outstanding * f.rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


def compute(
    debts: Iterable[DebtFacts],
    *,
    as_of: dt.date,
    capacity: Decimal | None = None,
    budget_expenditure: Decimal | None = None,
) -> Indicators:
    out = Indicators(as_of=as_of, capacity=capacity, budget_expenditure=budget_expenditure)
    year_end = as_of + dt.timedelta(days=365)
    rate_w = years_w = within = fixed = ZERO
    for f in debts:
        out.debts += 1
        out.outstanding += f.outstanding
        if f.debt_type in GOVERNMENT_DEBT:
            out.government_debt += f.outstanding
        repaid = f.principal - f.outstanding
        out.overdue += max(ZERO, _due_by(f, as_of) - repaid)
        out.interest_next_year += _interest_between(f, as_of, year_end)
        rate_w += f.outstanding * f.rate
        years = max(0, (f.maturity_date - as_of).days) / Decimal("365.25")
        years_w += f.outstanding * years
        if f.maturity_date <= year_end:
            within += f.outstanding
        if f.rate_type == "fixed":
            fixed += f.outstanding
    total = out.outstanding
    if capacity:
        out.debt_ratio = _pct(out.government_debt, capacity)
        out.debt_ratio_tier = debt_ratio_tier(out.debt_ratio)
    else:
        out.notes.append("No comprehensive fiscal capacity entered for the year.")
    out.overdue_ratio = _pct(out.overdue, total)
    out.overdue_tier = overdue_tier(out.overdue_ratio)
    if budget_expenditure:
        out.interest_burden = _pct(out.interest_next_year, budget_expenditure)
        out.interest_trigger = out.interest_burden > INTEREST_TRIGGER
    if total:
        out.weighted_rate = (rate_w / total).quantize(Q4, ROUND_HALF_UP)
        out.average_years_to_maturity = (years_w / total).quantize(Q4, ROUND_HALF_UP)
        out.share_within_year = _pct(within, total)
        out.share_fixed = _pct(fixed, total)
    return out


def debt_facts(qs) -> list[DebtFacts]:
    """Facts of the debts in ``qs`` with their schedules, in two queries."""
    from panhuo.finance.debt_models import ScheduleRow

    debts = list(qs.values_list("pk", "debt_type", "principal", "outstanding", "rate",
                                "rate_type", "maturity_date"))  # fmt: skip
    rows: dict[int, list] = {}
    for debt_id, d, p, i in ScheduleRow.objects.filter(debt__in=[d[0] for d in debts]).values_list(
        "debt_id", "due_date", "principal", "interest"
    ):
        rows.setdefault(debt_id, []).append((d, p, i))
    return [DebtFacts(t, p, o, r, rt, m, tuple(rows.get(pk, ())))
            for pk, t, p, o, r, rt, m in debts]  # fmt: skip


def indicators_for(user, jurisdiction, as_of: dt.date | None = None) -> Indicators:
    """The indicators of ``jurisdiction`` (and everything below it) as the user may see them."""
    from django.utils import timezone

    from panhuo.finance.debt_models import FiscalInputs
    from panhuo.finance.models import Debt

    as_of = as_of or timezone.localdate()
    qs = Debt.objects.visible_to(user).filter(jurisdiction__path__startswith=jurisdiction.path)
    inputs = FiscalInputs.objects.filter(jurisdiction=jurisdiction, year__lte=as_of.year).first()
    return compute(
        debt_facts(qs),
        as_of=as_of,
        capacity=inputs.comprehensive_fiscal_capacity if inputs else None,
        budget_expenditure=inputs.budget_expenditure if inputs else None,
    )
