"""Demo fiscal revenue: monthly figures by category for both demo districts, January 2022 to the
month before the seed's day, entered by each district's finance officer through the
monitor's own import (so the audit chain holds them as a real import would).

Magnitudes are a district's: Hexi collects about 6 billion yuan of tax a year, 1.8 billion of
non-tax revenue and, in 2022, 9 billion of land-use right sales. The years follow the public
figures of DESIGN.md: in 2024 tax falls about 5.6 %, non-tax revenue rises about 11.7 % (fines
faster still) and land sales fall about 18 %, so the monitor's alerts fire for 2024 — non-tax and
fines outgrowing tax in both districts, and in Hexi land sales above 40 % of revenue. Months carry
the usual seasonality (January's settlements, the Spring Festival dip, land sales bunched in
December) and a few per cent of noise from a generator of this module's own, so the rest of the
seed draws the same numbers with or without it.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from panhuo.monitor.importing import revenue_import
from panhuo.site.demo import catalogue as c

FIRST_YEAR = 2022
#: Yearly amounts in 2022, in millions of yuan: Hexi, Dongcheng.
BASE = {
    "vat": (2450, 820),
    "corporate_income_tax": (1050, 330),
    "individual_income_tax": (360, 120),
    "deed_tax": (700, 160),
    "land_vat": (640, 120),
    "urban_land_use_tax": (150, 60),
    "property_tax": (240, 90),
    "other_taxes": (690, 210),
    "fees": (440, 150),
    "fines": (300, 90),
    "state_assets": (650, 210),
    "other_non_tax": (300, 90),
    "land_sales": (9000, 1500),
    "other_fund": (420, 110),
}
#: Growth on the year before, by year, for each group of categories.
GROWTH = {
    "tax": {2023: 0.985, 2024: 0.963, 2025: 0.975, 2026: 0.99},
    "property_taxes": {2023: 0.93, 2024: 0.88, 2025: 0.92, 2026: 0.96},
    "non_tax": {2023: 1.06, 2024: 1.095, 2025: 1.05, 2026: 1.04},
    "fines": {2023: 1.10, 2024: 1.22, 2025: 1.12, 2026: 1.09},
    "land_sales": {2023: 0.80, 2024: 0.82, 2025: 0.90, 2026: 0.95},
    "other_fund": {2023: 0.95, 2024: 0.90, 2025: 0.97, 2026: 0.98},
}
GROUP = {
    "deed_tax": "property_taxes",
    "land_vat": "property_taxes",
    "fees": "non_tax",
    "state_assets": "non_tax",
    "other_non_tax": "non_tax",
    "fines": "fines",
    "land_sales": "land_sales",
    "other_fund": "other_fund",
}
#: Share of the year collected each month (they sum to 12; divided by 12 below).
SEASON = {
    "tax": [1.30, 0.70, 0.95, 1.10, 1.05, 0.95, 1.05, 0.85, 0.95, 1.05, 0.90, 1.15],
    "non_tax": [0.80, 0.70, 0.95, 0.95, 1.00, 1.10, 0.95, 0.90, 1.00, 0.95, 1.05, 1.65],
    "land_sales": [0.35, 0.25, 0.55, 0.70, 0.80, 1.40, 0.85, 0.70, 1.05, 1.00, 1.35, 3.00],
}


def _season(code: str) -> list[float]:
    if code in ("land_sales", "other_fund"):
        return SEASON["land_sales"]
    if GROUP.get(code) in ("non_tax", "fines"):
        return SEASON["non_tax"]
    return SEASON["tax"]


def level(code: str, year: int) -> float:
    growth = GROWTH[GROUP.get(code, "tax")]
    level = 1.0
    for y in range(FIRST_YEAR + 1, year + 1):
        level *= growth.get(y, growth[max(growth)])  # later years grow as the last known
    return level


def last_month(today: dt.date) -> dt.date:
    """The month before ``today``'s: the last whose figures are published."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def figures_csv(district: str, index: int, rng: random.Random, today: dt.date) -> str:
    """One district's figures as the long CSV layout the import reads."""
    lines = ["jurisdiction,month,category,amount"]
    end = last_month(today)
    for year in range(FIRST_YEAR, end.year + 1):
        for month in range(1, 13):
            if dt.date(year, month, 1) > end:
                break
            for code, sizes in BASE.items():
                yearly = sizes[index] * 1_000_000 * level(code, year)
                amount = yearly * _season(code)[month - 1] / 12 * rng.uniform(0.96, 1.04)
                value = Decimal(round(amount / 1000) * 1000).quantize(Decimal("0.01"))
                lines.append(f"{district},{year}-{month:02d},{code},{value}")
    return "\n".join(lines) + "\n"


def seed(seeder) -> None:
    """Both districts' revenue, each imported by its own finance officer."""

    seeder.say("Importing monthly revenue figures…")
    rng = random.Random(c.DEFAULT_SEED ^ 0xF15C)
    for index, (district, officer) in enumerate(
        ((c.DISTRICT[0], "finance"), (c.OTHER_DISTRICT[0], "dc_finance"))
    ):
        text = figures_csv(district, index, rng, seeder.today)
        report = revenue_import(
            actor=seeder.users[officer],
            stream=io.BytesIO(text.encode()),
            filename=f"revenue-{district}.csv",
            commit=True,
        )
        if not report.committed:  # a bug in this module, not bad luck: fail the seed loudly
            raise RuntimeError(f"demo revenue for {district} was rejected: {report.errors[:3]}")
