"""Market rent from comparable leases (issue 20, item 1: "market rent from comparables or the
rent appraisal"), for an asset without a rent appraisal: the median yearly rent per square
metre of the lease contracts signed on or before the day for assets of the same kind in the
same place (the asset's jurisdiction and those below it), each lease's yearly rent spread over
its package's area, times the asset's area. As the price flags judge a deal among comparable
deals, a lease counts only when its package is of that one kind and each asset has an area;
fewer than ``MIN_LEASES`` comparable leases, or an asset without an area, gives no rent."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.utils.translation import gettext as _

from panhuo.core.money import CENT
from panhuo.decisions.npv import Figure
from panhuo.disposal.channel_models import MONTHS, Contract
from panhuo.disposal.models import PackageItem

MIN_LEASES = 3


def rents_per_m2(place, kind: str, on: dt.date) -> list[Decimal]:
    """The yearly rent per m² of each comparable lease signed (starting) on or before ``on``."""
    contracts = list(
        Contract.objects.filter(
            project__package__jurisdiction__path__startswith=place.path, term_start__lte=on,
            project__package__items__asset__kind=kind,
        ).distinct().values_list("project__package_id", "period_amount", "frequency")
    )  # fmt: skip
    assets: dict[int, list] = defaultdict(list)
    items = PackageItem.objects.filter(package__in=[c[0] for c in contracts])
    for package_id, its_kind, area in items.values_list("package_id", "asset__kind", "asset__area"):
        assets[package_id].append((its_kind, area))
    out = []
    for package_id, amount, frequency in contracts:
        held = assets[package_id]
        if {k for k, _a in held} != {kind} or any(not a for _k, a in held):
            continue
        yearly = amount * 12 / MONTHS[frequency]
        out.append(yearly / sum((a for _k, a in held), Decimal(0)))
    return out


def comparable_rent(asset, on: dt.date) -> Figure | None:
    """The asset's yearly market rent from comparable leases, with the note saying from what;
    None without an area or enough comparable leases."""
    if not asset.area:
        return None
    place = asset.unit.jurisdiction
    rents = rents_per_m2(place, asset.kind, on)
    if len(rents) < MIN_LEASES:
        return None
    per_m2 = Decimal(median(rents)).quantize(CENT, ROUND_HALF_UP)
    note = _("median of %(n)s comparable leases in %(place)s: %(rate)s yuan per m² a year × "
             "%(area)s m²") % {"n": len(rents), "place": place.name, "rate": per_m2,
                              "area": asset.area}  # fmt: skip
    return Figure((per_m2 * asset.area).quantize(CENT, ROUND_HALF_UP), "comparables", note)
