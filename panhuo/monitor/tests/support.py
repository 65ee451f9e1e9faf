"""Figures the page and API tests share: three months of 2023 and 2024 in both districts.

District A's 2024 has the shape the alerts look for: tax down 10 %, non-tax up (fines by half),
and land sales over half of all revenue. District B's figures are flat.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from panhuo.core.testing import World
from panhuo.monitor.models import RevenueCategory, RevenueRecord

A_FIGURES = {
    # code: (2023 per month, 2024 per month)
    "vat": (100, 90),
    "fines": (10, 15),
    "fees": (20, 22),
    "land_sales": (200, 150),
}
# Flat, and every budget entered (a budget with no record in a month is missing, not zero).
B_FIGURES = {"vat": (50, 50), "fees": (0, 0), "other_fund": (0, 0)}


def seed_figures(w: World) -> None:
    cats = {c.code: c for c in RevenueCategory.objects.all()}
    rows = []
    for place, table in ((w.district, A_FIGURES), (w.other_district, B_FIGURES)):
        for code, (before, now) in table.items():
            for year, amount in ((2023, before), (2024, now)):
                for month in (1, 2, 3):
                    rows.append(
                        RevenueRecord(
                            jurisdiction=place,
                            month=dt.date(year, month, 1),
                            category=cats[code],
                            amount=Decimal(amount),
                        )
                    )
    RevenueRecord.objects.bulk_create(rows)


def state() -> list:
    from panhuo.monitor.models import MonitorThresholds

    return sorted(
        RevenueRecord.objects.values_list("jurisdiction_id", "month", "category__code", "amount")
    ) + sorted(
        MonitorThresholds.objects.values_list(
            "jurisdiction_id", "land_dependence_pct", "growth_margin_pct"
        )
    )
