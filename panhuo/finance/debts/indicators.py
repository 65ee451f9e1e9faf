"""Debt risk indicators of a jurisdiction on a date (DESIGN.md §2, "Debt risk").

``compute`` is the definition: a pure function of the debts' facts and the year's fiscal
inputs. ``indicators_for`` asks the database for the sums the definition adds up (one
aggregate query over the debts and their schedule rows, so a province's 100,000 debts and
their million schedule rows never travel to Python) and finishes with the same arithmetic
(``_finish``); the tests hold it equal to ``compute`` run on the raw rows. The aggregate needs
exact decimal arithmetic in the database (PostgreSQL's numeric); SQLite computes on floats, so
there the facts are fetched and ``compute`` runs on them, as it did for every database before.

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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from panhuo.core.money import ZERO

GOVERNMENT_DEBT = frozenset({"general_bond", "special_bond", "hidden"})
INTEREST_TRIGGER = Decimal(10)
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
    sums = Sums()
    for f in debts:
        sums.debts += 1
        sums.outstanding += f.outstanding
        if f.debt_type in GOVERNMENT_DEBT:
            sums.government_debt += f.outstanding
        repaid = f.principal - f.outstanding
        sums.overdue += max(ZERO, _due_by(f, as_of) - repaid)
        sums.interest_next_year += _interest_between(f, as_of, year_end)
        sums.rate_weighted += f.outstanding * f.rate
        sums.days_weighted += f.outstanding * max(0, (f.maturity_date - as_of).days)
        if f.maturity_date <= year_end:
            sums.within_year += f.outstanding
        if f.rate_type == "fixed":
            sums.fixed += f.outstanding
    return _finish(out, sums)


@dataclass
class Sums:
    """What the indicators add up over the debts; the ratios are taken from these."""

    debts: int = 0
    outstanding: Decimal = ZERO
    government_debt: Decimal = ZERO
    overdue: Decimal = ZERO
    interest_next_year: Decimal = ZERO
    rate_weighted: Decimal = ZERO  # Σ outstanding × rate
    days_weighted: Decimal = ZERO  # Σ outstanding × days to maturity (0 once matured)
    within_year: Decimal = ZERO
    fixed: Decimal = ZERO


def _finish(out: Indicators, sums: Sums) -> Indicators:
    """Ratios, tiers and averages from the sums: the one place both paths share."""
    capacity, budget_expenditure = out.capacity, out.budget_expenditure
    out.debts = sums.debts
    out.outstanding = sums.outstanding
    out.government_debt = sums.government_debt
    out.overdue = sums.overdue
    out.interest_next_year = sums.interest_next_year
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
        out.weighted_rate = (sums.rate_weighted / total).quantize(Q4, ROUND_HALF_UP)
        # Days summed first and divided once: exact up to the one division.
        out.average_years_to_maturity = (sums.days_weighted / (total * Decimal("365.25"))).quantize(
            Q4, ROUND_HALF_UP
        )
        out.share_within_year = _pct(sums.within_year, total)
        out.share_fixed = _pct(sums.fixed, total)
    return out


def debt_facts(qs) -> list[DebtFacts]:
    """Facts of the debts in ``qs`` with their schedules, in two queries."""
    from panhuo.finance.debts.models import ScheduleRow

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
    """The indicators of ``jurisdiction`` (and everything below it) as the user may see them.
    ``as_of`` lies within the business dates of ``core.bounds`` (a year ahead of 9999-12-31
    does not exist)."""
    from django.utils import timezone

    from panhuo.core.bounds import date_problem
    from panhuo.core.errors import ValidationError

    if as_of is not None and (problem := date_problem(as_of)):
        raise ValidationError({"as_of": [problem]})

    from panhuo.finance.debts.models import FiscalInputs
    from panhuo.finance.models import Debt

    as_of = as_of or timezone.localdate()
    qs = (
        Debt.objects.active()
        .visible_to(user)
        .filter(jurisdiction__path__startswith=jurisdiction.path)
    )
    inputs = FiscalInputs.objects.filter(jurisdiction=jurisdiction, year__lte=as_of.year)
    if exact_aggregates(qs.db):
        return debt_indicators_sql(qs, inputs, as_of)
    first = inputs.first()
    return compute(
        debt_facts(qs),
        as_of=as_of,
        capacity=first.comprehensive_fiscal_capacity if first else None,
        budget_expenditure=first.budget_expenditure if first else None,
    )


def exact_aggregates(alias: str) -> bool:
    """Whether the database adds decimals exactly (PostgreSQL's numeric; not SQLite's floats)."""
    from django.db import connections

    return connections[alias].vendor == "postgresql"


#: ``compute``'s sums in one statement. The inner query groups each debt's schedule rows (what
#: is due by the date, the interest due in the year after it, whether it has rows at all);
#: the outer one follows the definition's cases per debt and sums over the debts. The year's
#: fiscal inputs ride along. Every operation is exact on numeric: products, sums, and
#: ``round(outstanding × rate, 0) × 0.01``, which is ``compute``'s half-up to the fen of
#: outstanding × rate ÷ 100 without a division.
SUMS_SQL = """
WITH s AS (
  SELECT d.id, d.debt_type, d.principal, d.outstanding, d.rate, d.rate_type, d.maturity_date,
    count(r.id) AS n,
    coalesce(sum(r.principal) FILTER (WHERE r.due_date <= %(as_of)s), 0) AS due,
    coalesce(sum(r.interest) FILTER (WHERE r.due_date > %(as_of)s
                                     AND r.due_date <= %(year_end)s), 0) AS interest
  FROM finance_debt d LEFT JOIN finance_schedulerow r ON r.debt_id = d.id
  WHERE d.id IN ({debts})
  GROUP BY d.id
), f AS ({inputs})
SELECT count(*),
  coalesce(sum(outstanding), 0),
  coalesce(sum(outstanding) FILTER (WHERE debt_type = ANY(%(government)s)), 0),
  coalesce(sum(greatest(0, CASE WHEN n > 0 THEN due
                                WHEN maturity_date <= %(as_of)s THEN principal ELSE 0 END
                           - (principal - outstanding))), 0),
  coalesce(sum(CASE WHEN n > 0 THEN interest WHEN maturity_date <= %(as_of)s THEN 0
                    ELSE round(outstanding * rate, 0) * 0.01 END), 0),
  coalesce(sum(outstanding * rate), 0),
  coalesce(sum(outstanding * greatest(0, maturity_date - %(as_of)s::date)), 0),
  coalesce(sum(outstanding) FILTER (WHERE maturity_date <= %(year_end)s), 0),
  coalesce(sum(outstanding) FILTER (WHERE rate_type = 'fixed'), 0),
  (SELECT comprehensive_fiscal_capacity FROM f), (SELECT budget_expenditure FROM f)
FROM s
"""


def debt_indicators_sql(qs, inputs, as_of: dt.date) -> Indicators:
    """The indicators of the debts in ``qs`` with the first of ``inputs``, in one statement.

    The ORM says which debts (the caller's scope, as everywhere) and which fiscal inputs; the
    sums are one hand-written aggregate, since the ORM's version of it cost more to build than
    to run at the size of a district (cProfile: expression resolution and compilation).
    """
    from django.db import connections

    debts_sql, debts_params = qs.values("pk").query.sql_with_params()
    inputs_sql, inputs_params = (
        inputs.values("comprehensive_fiscal_capacity", "budget_expenditure")[:1]
        .query.sql_with_params()
    )  # fmt: skip
    params: dict = {"as_of": as_of, "year_end": as_of + dt.timedelta(days=365),
                    "government": sorted(GOVERNMENT_DEBT)}  # fmt: skip
    sql = SUMS_SQL.format(
        debts=_named(debts_sql, debts_params, "d", params),
        inputs=_named(inputs_sql, inputs_params, "f", params),
    )
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    capacity, budget_expenditure = row[9], row[10]
    out = Indicators(as_of=as_of, capacity=capacity, budget_expenditure=budget_expenditure)
    return _finish(out, Sums(*row[:9]))


def _named(sql: str, values, prefix: str, params: dict) -> str:
    """``sql``'s positional ``%s`` placeholders as named ones (``%%`` stays a literal %)."""
    numbered = iter(range(len(values)))

    def name(match) -> str:
        if match.group(1) == "%":
            return "%%"
        i = next(numbered)
        params[f"{prefix}{i}"] = values[i]
        return f"%({prefix}{i})s"

    return re.sub(r"%(%|s)", name, sql)
