"""The demo's asset records: what a synthetic asset of each kind looks like (the catalogue's words,
sizes, values and coordinates drawn from the seeder's random generator)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from panhuo.core.money import CENT
from panhuo.register.models import AssetKind, AssetStatus
from panhuo.site.demo import catalogue as c


def money(yuan: int) -> Decimal:
    """Whole yuan as an amount."""
    return Decimal(yuan).quantize(CENT)


def rounded(yuan: int, step: int) -> int:
    """Down to a round figure, never below one step (a register's values are round)."""
    return max(step, yuan // step * step)


def asset_spec(r: random.Random, kind: str, district: str, today: dt.date) -> dict[str, Any]:
    """A synthetic asset of ``kind`` in ``district``: name, place, size, title, encumbrance,
    use, criticality, book value, income and costs, drawn from ``r`` (so a seed repeats)."""
    road = r.choice(c.ROADS)
    place = r.choice(c.PLACES)
    area: int | None = None
    fill = {
        "road": road,
        "place": place,
        "hill": r.choice(c.HILLS),
        "water": r.choice(c.WATERS),
        "company": r.choice(c.COMPANIES),
        "owner": r.choice(c.OWNERS),
        "year": r.randint(2019, 2025),
        "n": r.randint(12, 480),
        "a": r.randint(2, 9),
    }
    fill["b"] = fill["a"] + r.randint(1, 4)
    if kind == AssetKind.LAND:
        area = r.randint(1_500, 60_000)
        book = area * r.randint(600, 4_500)
        appraised_pct = r.randint(100, 240)
        use = r.choice(c.LAND_USES)
        name = f"{place}HX{fill['year']}-{r.randint(1, 199):03d}号地块{use}使用权"
    elif kind == AssetKind.BUILDING:
        area = r.randint(80, 15_000)
        book = area * r.randint(2_500, 9_000)
        appraised_pct = r.randint(80, 160)
        name = road + r.choice(c.BUILDINGS).format(**fill)
    elif kind == AssetKind.VEHICLE:
        model, body = r.choice(c.VEHICLES)
        book = r.randint(60_000, 450_000)
        appraised_pct = r.randint(15, 70)
        plate = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5))
        name = f"{model}{body}（江A·{plate}）"
    elif kind == AssetKind.EQUIPMENT:
        label, low, high = r.choice(c.EQUIPMENT)
        book = r.randint(low, high)
        appraised_pct = r.randint(10, 80)
        name = label
    elif kind == AssetKind.EQUITY:
        pct = r.choice([5, 10, 12, 15, 20, 25, 30, 34, 49, 51])
        book = r.randint(1_000_000, 80_000_000)
        appraised_pct = r.randint(60, 200)
        name = f"{fill['company']}{pct}%股权"
    elif kind == AssetKind.OPERATING_RIGHT:
        book = r.randint(200_000, 20_000_000)
        appraised_pct = r.randint(80, 300)
        name = r.choice(c.OPERATING_RIGHTS).format(**fill)
    elif kind == AssetKind.NATURAL_RESOURCE:
        area = r.randint(10_000, 2_000_000)
        book = r.randint(1_000_000, 60_000_000)
        appraised_pct = r.randint(100, 300)
        name = r.choice(c.NATURAL_RESOURCES).format(**fill)
    elif kind == AssetKind.DATA:
        book = r.randint(50_000, 3_000_000)
        appraised_pct = r.randint(50, 400)
        name = r.choice(c.DATA_ASSETS).format(**fill)
    else:  # receivable / idle fund
        book = r.randint(100_000, 30_000_000)
        appraised_pct = r.randint(30, 100)
        name = r.choice(c.RECEIVABLES).format(**fill)
    book = rounded(book, 100)
    # One asset in eight has no appraisal yet.
    appraised = None if r.random() < 0.125 else rounded(book * appraised_pct // 100, 100)
    statuses, sweights = list(c.STATUS_WEIGHTS), list(c.STATUS_WEIGHTS.values())
    crits, cweights = list(c.CRITICALITY_WEIGHTS), list(c.CRITICALITY_WEIGHTS.values())
    spec: dict[str, Any] = {
        "name": name[:200],
        "book_value": money(book),
        "appraised_value": None if appraised is None else money(appraised),
        "status": r.choices(statuses, sweights)[0],
        "criticality": r.choices(crits, cweights)[0],
        "area": None if area is None else money(area),
    }
    # The full record: when it fell idle, depreciation, income and cost, title and age —
    # so that the scope rules find real candidates and exclusions in the demo.
    if spec["status"] in (AssetStatus.IDLE, AssetStatus.UNDER_USED):
        spec["idle_since"] = today - dt.timedelta(days=r.randint(20, 6 * 365))
    acquired_years = r.randint(1, 30)
    spec["acquired_on"] = today - dt.timedelta(days=round(acquired_years * 365.25))
    if kind in (AssetKind.BUILDING, AssetKind.VEHICLE, AssetKind.EQUIPMENT):
        life = {AssetKind.BUILDING: 50, AssetKind.VEHICLE: 8, AssetKind.EQUIPMENT: 10}[kind]
        share = min(acquired_years, life) / life
        spec["accumulated_depreciation"] = money(rounded(int(book * share * 0.95), 100))
    if spec["status"] in (AssetStatus.IN_USE, AssetStatus.LEASED_OUT):
        spec["annual_income"] = money(rounded(book * r.randint(0, 8) // 100, 100))
    spec["annual_holding_cost"] = money(rounded(book * r.randint(0, 3) // 100, 100))
    spec["title_complete"] = r.random() < (
        0.8 if kind in (AssetKind.LAND, AssetKind.BUILDING) else 0.95
    )
    if spec["title_complete"] and kind in (AssetKind.LAND, AssetKind.BUILDING):
        spec["certificate_number"] = f"江({today.year - acquired_years})清河市不动产权"
        spec["certificate_number"] += f"第{r.randint(1, 99999):07d}号"
    if kind in c.LOCATED or kind in c.ADDRESSED:
        district_name = c.DISTRICT[1] if district == c.DISTRICT[0] else c.OTHER_DISTRICT[1]
        spec["address"] = f"{c.CITY[1]}{district_name}{road}{r.randint(1, 888)}号"
    if kind in c.LOCATED:
        lat, lon = c.CENTRE[district]
        spec["latitude"] = Decimal(lat + round(r.gauss(0, 1) * 22_000)).scaleb(-6)
        spec["longitude"] = Decimal(lon + round(r.gauss(0, 1) * 26_000)).scaleb(-6)
    return spec
