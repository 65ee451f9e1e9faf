"""Demo valuations: appraisals, book values and model estimates, consistent with the price rules.

``appraise`` runs before the disposal projects are walked: every asset that may be packaged gets
a current third-party appraisal, rounded down to the thousand yuan as reports are, so that the
seed's reserves (set from the register's appraised value, never below it) are never below the
appraisal and its deals (at or above the reserve) never below 90 % of it. Some of them carry an
older, expired appraisal in their history; some assets in use have only an expired one (the
rules would stop them being listed); a quarter have a book valuation at the last year end.
``estimate`` runs after the deals: it trains the valuation model on them and records automated
estimates for a few idle buildings and plots that are in no package yet.

Deterministic: a random generator of its own, seeded from the seeder's, and dates from the demo's
seed's day (moved forward to today when the machine's clock is past an appraisal's validity).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_record_many, snapshot
from panhuo.pricing.avm import KINDS, avm_estimate, avm_train
from panhuo.pricing.models import Valuation
from panhuo.pricing.rules import Thresholds, add_months, appraisal_expires_on
from panhuo.register.models import Asset, AssetStatus, Criticality
from panhuo.site.demo import catalogue as c

APPRAISERS = [
    ("江南中信资产评估有限公司", "33020012"),
    ("清河联合房地产估价有限公司", "33020047"),
    ("江南坤元资产评估有限公司", "33010188"),
    ("中企华资产评估有限责任公司江南分公司", "11020108"),
]
METHODS = {
    "land": ["benchmark", "market", "residual"],
    "building": ["market", "income", "cost"],
    "natural_resource": ["income", "market"],
    "equity": ["income", "market"],
    "operating_right": ["income"],
    "data": ["cost", "income"],
}
T = Thresholds()


def _rng(seeder) -> random.Random:
    # Its own generator, so the rest of the seed draws the same numbers as without it.
    return random.Random(hash(tuple(seeder.rng.getstate()[1][:8])) ^ 0x5EED)


def _base_date(rng: random.Random, today: dt.date) -> dt.date:
    """A base date 1–8 months before the seed's day; moved forward when the machine's
    clock is so late that it would already have expired."""
    base = today - dt.timedelta(days=rng.randint(30, 240))
    if appraisal_expires_on(base, T) < today + dt.timedelta(days=60):
        base = today - dt.timedelta(days=rng.randint(30, 120))
    return min(base, today)


def _appraisal(asset, value: int, base: dt.date, seq: int, rng: random.Random) -> Valuation:
    appraiser, licence = rng.choice(APPRAISERS)
    return Valuation(
        asset=asset,
        kind="appraisal",
        value=Decimal(value).quantize(Decimal("0.01")),
        base_date=base,
        valid_until=appraisal_expires_on(base, T),
        method=rng.choice(METHODS.get(asset.kind, ["market", "cost"])),
        appraiser=appraiser,
        licence_number=licence,
        report_number=f"QH-PG-{base.year}-{seq:05d}",
    )


def appraise(seeder) -> None:
    """Appraisals (current ones for what may be sold), expired ones, and book valuations."""
    rng = _rng(seeder)
    today = timezone.localdate()
    district = seeder.places[c.DISTRICT[0]]
    assets = list(
        Asset.objects.filter(unit__jurisdiction__path__startswith=district.path)
        .select_related("unit__jurisdiction")
        .order_by("code")
    )
    sellable = {AssetStatus.IDLE, AssetStatus.UNDER_USED, AssetStatus.OCCUPIED}
    rows: list[Valuation] = []
    seq = 0
    for a in assets:
        value = int(a.appraised_value or a.book_value or 0) // 1000 * 1000
        if value < 1000:
            continue
        if a.status in sellable and a.criticality != Criticality.ESSENTIAL:
            base = _base_date(rng, today)
            if rng.random() < 0.2:
                # An earlier appraisal, expired and superseded: the history of the asset.
                seq += 1
                old = add_months(base, -rng.randint(14, 30))
                rows.append(_appraisal(a, value * rng.randint(90, 115) // 100, old, seq, rng))
            seq += 1
            rows.append(_appraisal(a, value, base, seq, rng))
        elif rng.random() < 0.15:
            # In use, appraised long ago: expired (listing it would be refused).
            seq += 1
            old = add_months(today, -rng.randint(14, 40))
            rows.append(_appraisal(a, value, old, seq, rng))
        if rng.random() < 0.25 and a.book_value:
            year_end = dt.date(today.year - 1, 12, 31)
            rows.append(
                Valuation(
                    asset=a,
                    kind="book",
                    value=a.net_book_value if a.net_book_value > 0 else a.book_value,
                    base_date=min(year_end, today),
                    note="年末账面净值，取自单位会计账簿。",
                )
            )
    created = Valuation.objects.bulk_create(rows, batch_size=2000)
    by_pk = {a.pk: a for a in assets}
    audit_record_many(
        actor=None,
        records=[
            ("valuation.create", v, None, snapshot(v), by_pk[v.asset_id].unit.jurisdiction.path)
            for v in created
        ],
    )
    seeder.say(f"Recorded {len(created):,} valuations…")


def estimate(seeder, count: int = 12) -> None:
    """Train the valuation model on the seeded deals and estimate a few idle properties."""
    district = seeder.places[c.DISTRICT[0]]
    try:
        avm_train(jurisdiction=district)
    except ValidationError:
        return  # a small demo may have too few deals to learn from
    candidates = (
        Asset.objects.filter(
            unit__jurisdiction__path__startswith=district.path,
            kind__in=KINDS,
            status=AssetStatus.IDLE,
            area__gt=0,
        )
        .exclude(package_items__live=True)
        .select_related("unit__jurisdiction")
        .order_by("code")[:count]
    )
    office = seeder.users["office"]
    for asset in candidates:
        avm_estimate(actor=office, asset=asset)
