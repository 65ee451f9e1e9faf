"""The monitor's arithmetic, on plain values: totals up the category tree, year-on-year growth,
composition, and the alerts. No database here, so the property tests can recompute every figure
from the raw amounts and compare.

Growth is ``(this - last) / |last| × 100`` in percent, rounded to two decimals (as a debt
office reports); it is ``None`` (shown as "—") when last year's figure is zero, because growth
from nothing has no meaning. Shares are percentages of the year-to-date total, rounded to two
decimals.

**Gaps stay gaps.** A budget (tax, non-tax, government fund) without a single record in a
month has no figure for that month: its lines are missing (``None``, "—"), never zero, and so
is every sum over it (the general budget, all revenue, a year to date reaching that month) and
every growth or share taken from a missing figure. A year whose fund revenue was never entered
reads "—", not 0.00 with growth −100 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from panhuo.core.money import ZERO
from panhuo.monitor.categories import BUDGETS, FINES, FUND, LAND_SALES, NON_TAX, TAX, Node

HUNDREDTH = Decimal("0.01")
HUNDRED = Decimal(100)
#: Pseudo-codes of the sums above the budgets.
GENERAL = "general"  # general public budget revenue = tax + non-tax
ALL = "all"  # general budget + government fund revenue

Amounts = Mapping[tuple[str, dt.date], Decimal]


def pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``, two decimals; None when ``whole`` is zero or
    either is missing."""
    if not whole or part is None:
        return None
    return (part * HUNDRED / whole).quantize(HUNDREDTH, ROUND_HALF_UP)


def growth(this: Decimal | None, last: Decimal | None) -> Decimal | None:
    """Year-on-year growth in percent, two decimals; None when last year's figure is zero or
    either is missing (growth is never computed across a gap)."""
    if not last or this is None:
        return None
    return ((this - last) * HUNDRED / abs(last)).quantize(HUNDREDTH, ROUND_HALF_UP)


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def rolled_up(amounts: Amounts, nodes: Iterable[Node]) -> dict[tuple[str, dt.date], Decimal]:
    """Leaf amounts plus every parent's sum, the general budget and the total, per month."""
    nodes = list(nodes)
    parent_of = {n.code: n.parent for n in nodes}
    out: dict[tuple[str, dt.date], Decimal] = {}
    for (code, month), amount in amounts.items():
        chain = []
        current: str | None = code
        while current is not None:
            chain.append(current)
            current = parent_of.get(current)
        top = chain[-1]
        if top in (TAX, NON_TAX):
            chain.append(GENERAL)
        chain.append(ALL)
        for c in chain:
            out[(c, month)] = out.get((c, month), ZERO) + amount
    return out


@dataclass(frozen=True)
class Row:
    """One category's line in the monitor table."""

    code: str
    label: str
    depth: int
    month: Decimal | None  # None: missing (its budget has no record that month)
    month_last_year: Decimal | None
    month_growth: Decimal | None
    ytd: Decimal | None
    ytd_last_year: Decimal | None
    ytd_growth: Decimal | None
    share: Decimal | None  # of all revenue, year to date
    share_of_parent: Decimal | None  # of its budget (items) or of all revenue (budgets)


@dataclass(frozen=True)
class Alert:
    code: str
    message: str
    figures: dict[str, Decimal | None]


@dataclass
class Summary:
    year: int
    through: int  # the last month counted (1–12); 0 when the year has no figures
    rows: list[Row] = field(default_factory=list)
    monthly: dict[str, list[Decimal | None]] = field(default_factory=dict)  # code → 12 months
    land_dependence: Decimal | None = None
    alerts: list[Alert] = field(default_factory=list)

    def row(self, code: str) -> Row:
        """The category's line; a category missing from the tree reads as no revenue (the
        page must still answer, e.g. while the category list is being reloaded)."""
        found = next((r for r in self.rows if r.code == code), None)
        if found is None:
            zero = Decimal(0)
            found = Row(code, code, 0, zero, zero, None, zero, zero, None, None, None)
        return found


def last_month_with_data(amounts: Amounts, year: int) -> int:
    months = [m.month for (_c, m) in amounts if m.year == year]
    return max(months, default=0)


def summarise(
    amounts: Amounts,
    nodes: Iterable[Node],
    *,
    year: int,
    through: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> Summary:
    """The figures of ``year`` up to month ``through`` (default: the last month with data)."""
    nodes = list(nodes)
    labels = dict(labels or {})
    if through is None:
        through = last_month_with_data(amounts, year)
    totals = rolled_up(amounts, nodes)

    budget_of = {n.code: n.budget for n in nodes}
    needs = {GENERAL: (TAX, NON_TAX), ALL: BUDGETS}

    def known(code: str, y: int, m: int) -> bool:
        """Whether every budget the line adds up has a record in the month."""
        budgets = needs.get(code) or (budget_of.get(code, code),)
        return all((b, month_start(y, m)) in totals for b in budgets)

    def at(code: str, y: int, m: int) -> Decimal | None:
        if not known(code, y, m):
            return None
        return totals.get((code, month_start(y, m)), ZERO)

    def ytd(code: str, y: int) -> Decimal | None:
        months = [at(code, y, m) for m in range(1, through + 1)]
        if not months or any(v is None for v in months):
            return None
        return sum(months, ZERO)

    summary = Summary(year=year, through=through)
    total_ytd = ytd(ALL, year)
    order: list[tuple[str, int, str | None]] = [(ALL, 0, None), (GENERAL, 1, ALL)]
    for budget in BUDGETS:
        order.append((budget, 1 if budget == FUND else 2, GENERAL if budget != FUND else ALL))
        depth = 3 if budget != FUND else 2
        order.extend((n.code, depth, budget) for n in nodes if n.parent == budget)
    for code, depth, parent in order:
        this_m = at(code, year, through) if through else None
        last_m = at(code, year - 1, through) if through else None
        this_ytd, last_ytd = ytd(code, year), ytd(code, year - 1)
        parent_ytd = ytd(parent, year) if parent else total_ytd
        summary.rows.append(
            Row(
                code=code,
                label=labels.get(code, code),
                depth=depth,
                month=this_m,
                month_last_year=last_m,
                month_growth=growth(this_m, last_m),
                ytd=this_ytd,
                ytd_last_year=last_ytd,
                ytd_growth=growth(this_ytd, last_ytd),
                share=pct(this_ytd, total_ytd),
                share_of_parent=pct(this_ytd, parent_ytd),
            )
        )
    for code in (ALL, TAX, NON_TAX, FUND):
        summary.monthly[code] = [at(code, year, m) for m in range(1, 13)]
    summary.land_dependence = pct(ytd(LAND_SALES, year), total_ytd)
    return summary


def alerts(
    summary: Summary, *, land_dependence_pct: Decimal, growth_margin_pct: Decimal
) -> list[Alert]:
    """What the monitor warns about, each stating its figures (year to date, year on year)."""
    found: list[Alert] = []
    tax = summary.row(TAX).ytd_growth
    for code, name in ((NON_TAX, "Non-tax revenue"), (FINES, "Fines and confiscations")):
        g = summary.row(code).ytd_growth
        if g is not None and tax is not None and g > tax + growth_margin_pct:
            found.append(
                Alert(
                    code=f"{code}_outgrows_tax",
                    message=name,
                    figures={"growth": g, "tax_growth": tax, "margin": growth_margin_pct},
                )
            )
    dep = summary.land_dependence
    if dep is not None and dep > land_dependence_pct:
        found.append(
            Alert(
                code="land_dependence",
                message="Land dependence",
                figures={
                    "share": dep,
                    "threshold": land_dependence_pct,
                    "land_sales": summary.row(LAND_SALES).ytd,
                    "revenue": summary.row(ALL).ytd,
                },
            )
        )
    return found
