"""What an optimiser plan means for the work plans' targets (issue 18's money raised and debt
resolved, by calendar quarter). The plan's quarters run from its date (30 June to 30
September, ...); each is counted in the calendar quarter that holds most of it (its middle
day). Per calendar year the horizon touches: the money the plan brings in each quarter and the
debt service it covers (the schedules' rows due in the horizon, principal and interest, by
debt type), as the optimiser counted them. Read only: the work plans' app proposes them as a
plan's targets through its own service (``planning.propose``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.decisions.pipeline import _quarter
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.debts.schedules import add_months
from panhuo.finance.models import Debt, DebtType

ZERO = Decimal("0.00")


def calendar_quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def middle(on: dt.date, t: int) -> dt.date:
    """The middle day of the plan's quarter ``t`` (0: the one starting on ``on``)."""
    start, end = add_months(on, 3 * t), add_months(on, 3 * t + 3)
    return start + (end - start) / 2


def plan_targets(user, run: OptimiserRun) -> list[dict]:
    """Per calendar year (earliest first): ``quarters`` the horizon touches, ``money``
    {quarter: amount}, ``debt`` {(debt type, quarter): amount}, and rows for the page. Empty
    when the run has no plan."""
    result = run.result or {}
    periods = result.get("periods") or []
    if not result.get("plan") or not periods:
        return []
    years: dict[int, dict] = defaultdict(
        lambda: {
            "quarters": set(),
            "money": defaultdict(lambda: ZERO),
            "debt": defaultdict(lambda: ZERO),
        }
    )
    held = [calendar_quarter(middle(run.on, t)) for t in range(len(periods))]
    for (year, q), p in zip(held, periods, strict=True):
        years[year]["quarters"].add(q)
        years[year]["money"][q] += Decimal(p["cash"])
    end = add_months(run.on, 3 * len(periods))
    debts = Debt.objects.visible_to(user).filter(
        voided_at=None, jurisdiction__path__startswith=run.jurisdiction.path
    )
    rows = ScheduleRow.objects.filter(debt__in=debts, due_date__gt=run.on, due_date__lte=end)
    for debt_type, due, principal, interest in rows.values_list(
        "debt__debt_type", "due_date", "principal", "interest"
    ):
        year, q = held[min(_quarter(run.on, due), len(held) - 1)]
        years[year]["debt"][(debt_type, q)] += principal + interest
    return [_shown(year, years[year]) for year in sorted(years)]


def _shown(year: int, got: dict) -> dict:
    quarters = sorted(got["quarters"])
    money = {q: got["money"][q].quantize(ZERO) for q in quarters}
    debt = {k: v.quantize(ZERO) for k, v in got["debt"].items() if v}
    types = sorted({t for t, _q in debt})
    cells = [money.get(q) for q in (1, 2, 3, 4)]
    lines = [{"label": None, "cells": cells, "total": sum(money.values(), ZERO)}]
    for t in types:
        cells = [debt.get((t, q), ZERO) if q in quarters else None for q in (1, 2, 3, 4)]
        lines.append({"label": DebtType(t).label if t in DebtType.values else t, "cells": cells,
                      "total": sum((c for c in cells if c), ZERO)})  # fmt: skip
    return {"year": year, "quarters": quarters, "money": money, "debt": debt, "lines": lines,
            "money_total": lines[0]["total"], "debt_total": sum(debt.values(), ZERO)}  # fmt: skip
