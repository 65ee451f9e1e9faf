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

from django.db.models import Q
from django.utils.translation import gettext as _

from panhuo.core.money import CENT
from panhuo.decisions.npv import Figure
from panhuo.disposal.channel_models import MONTHS, Contract
from panhuo.disposal.models import PackageItem

MIN_LEASES = 3


def lease_rents(places, kinds) -> list[tuple[str, str, dt.date, Decimal]]:
    """Every comparable lease in any of ``places`` (and the places below them) of one of
    ``kinds``: (its place's path, the kind, the day it starts, its yearly rent per m²). Two
    queries, whatever the number of places and kinds."""
    paths = sorted({p.path for p in places})
    if not paths or not kinds:
        return []
    where = Q()
    for path in paths:
        where |= Q(project__package__jurisdiction__path__startswith=path)
    contracts = list(
        Contract.objects.filter(where, project__package__items__asset__kind__in=sorted(kinds))
        .distinct()
        .values_list("project__package_id", "project__package__jurisdiction__path",
                     "term_start", "period_amount", "frequency")
    )  # fmt: skip
    assets: dict[int, list] = defaultdict(list)
    items = PackageItem.objects.filter(package__in=[c[0] for c in contracts])
    for package_id, its_kind, area in items.values_list("package_id", "asset__kind", "asset__area"):
        assets[package_id].append((its_kind, area))
    out = []
    for package_id, path, start, amount, frequency in contracts:
        held = assets[package_id]
        held_kinds = {k for k, _a in held}
        if len(held_kinds) != 1 or any(not a for _k, a in held):
            continue
        yearly = amount * 12 / MONTHS[frequency]
        out.append((path, held_kinds.pop(), start, yearly / sum((a for _k, a in held), Decimal(0))))
    return out


class Leases:
    """``lease_rents``'s rows read once for many assets, answered per place, kind and day from
    memory (by kind, oldest first; each answer kept)."""

    def __init__(self, rows) -> None:
        self.by_kind: dict[str, list] = defaultdict(list)
        for path, kind, start, rent in rows:
            self.by_kind[kind].append((start, path, rent))
        for leases in self.by_kind.values():
            leases.sort(key=lambda row: row[0])
        self.answers: dict[tuple, list[Decimal]] = {}

    def rents(self, place, kind: str, on: dt.date) -> list[Decimal]:
        key = (place.path, kind, on)
        if key not in self.answers:
            found = []
            for start, path, rent in self.by_kind.get(kind, ()):
                if start > on:
                    break
                if path.startswith(place.path):
                    found.append(rent)
            self.answers[key] = found
        return self.answers[key]


def rents_per_m2(place, kind: str, on: dt.date, leases: Leases | None = None) -> list[Decimal]:
    """The yearly rent per m² of each comparable lease signed (starting) on or before ``on``
    (from ``leases``, read once for many, when given)."""
    leases = leases or Leases(lease_rents([place], {kind}))
    return leases.rents(place, kind, on)


def comparable_rent_parts(asset, on: dt.date, leases=None, place=None) -> dict | None:
    """The asset's yearly market rent from comparable leases and what it is made of, as
    numbers (so a reader's language can word them): ``value``, ``leases`` (how many),
    ``per_m2`` (their median), ``area`` and ``place`` (the jurisdiction); None without an area
    or enough comparable leases (from ``leases`` when given, a :class:`Leases`; ``place``: the
    asset's unit's jurisdiction, when the caller has it)."""
    if not asset.area:
        return None
    place = place or asset.unit.jurisdiction
    rents = rents_per_m2(place, asset.kind, on, leases)
    if len(rents) < MIN_LEASES:
        return None
    per_m2 = Decimal(median(rents)).quantize(CENT, ROUND_HALF_UP)
    value = (per_m2 * asset.area).quantize(CENT, ROUND_HALF_UP)
    return {"value": value, "leases": len(rents), "per_m2": per_m2, "area": asset.area,
            "place": place}  # fmt: skip


def comparable_rent(asset, on: dt.date, leases=None, place=None) -> Figure | None:
    """The asset's yearly market rent from comparable leases, with the note saying from what;
    None without an area or enough comparable leases (``leases``, ``place``: as
    :func:`comparable_rent_parts` takes them)."""
    parts = comparable_rent_parts(asset, on, leases, place)
    if parts is None:
        return None
    note = _("median of %(n)s comparable leases in %(place)s: %(rate)s yuan per m² a year × "
             "%(area)s m²") % {"n": parts["leases"], "place": parts["place"].name,
                              "rate": parts["per_m2"], "area": parts["area"]}  # fmt: skip
    return Figure(parts["value"], "comparables", note)
