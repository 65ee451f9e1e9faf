"""Package suggestions: the confirmed scope's candidates grouped by place and kind.

A pure function (``suggest``) groups plain items so that it can be tested on its own; the
selector (``suggestions_for``) feeds it the caller's candidates not yet in a live package.

Rules, applied in a fixed order so that the same candidates always give the same answer:

- Only compatible kinds share a group: land-use rights and buildings (one site is often both),
  otherwise one kind. Groups never cross a jurisdiction (a package belongs to one).
- Located assets: the first unassigned asset by code is a *seed*; the group takes the
  unassigned compatible assets within ``radius_km`` of the seed (haversine on the coordinates),
  nearest first, until ``max_size`` assets or ``max_value`` (appraised value, or book value when
  there is no appraisal) would be exceeded.
- Assets without coordinates are grouped by their address (same normalised address), else by
  their holding unit, and the reason says so.
- A group of fewer than ``min_size`` assets is no suggestion; its assets stay free.
- Essential public-service assets are never suggested, whatever the input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from panhuo.core.money import ZERO
from panhuo.register.models import AssetKind, Criticality

EARTH_KM = 6371.0088
#: Kinds that may share a package: land and the buildings on it.
FAMILY = {"land": "property", "building": "property"}


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Item:
    """One candidate, as the grouping needs it."""

    id: int
    code: str
    kind: str
    jurisdiction_id: int
    place: str
    unit_id: int
    unit: str
    book_value: Decimal
    appraised_value: Decimal | None = None
    area: Decimal | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    status: str = "idle"
    essential: bool = False
    name: str = ""

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def kind_label(self) -> str:

        return str(AssetKind(self.kind).label)

    @property
    def value(self) -> Decimal:
        return self.appraised_value if self.appraised_value is not None else self.book_value


@dataclass
class Suggestion:
    """A proposed lot: its assets (seed first), the rule that grouped them and the figures."""

    items: list[Item]
    rule: str  # "radius", "address" or "unit"
    radius_km: float = 0.0
    spread_km: float = 0.0  # the farthest asset from the seed
    key: str = field(default="")

    @property
    def seed(self) -> Item:
        return self.items[0]

    @property
    def asset_ids(self) -> list[int]:
        return [i.id for i in self.items]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def total_book_value(self) -> Decimal:
        return sum((i.book_value for i in self.items), ZERO)

    @property
    def total_appraised_value(self) -> Decimal:
        return sum((i.appraised_value for i in self.items if i.appraised_value is not None), ZERO)

    @property
    def unappraised(self) -> int:
        return sum(1 for i in self.items if i.appraised_value is None)

    @property
    def total_area(self) -> Decimal:
        return sum((i.area for i in self.items if i.area is not None), ZERO)

    @property
    def kinds(self) -> list[str]:
        return sorted({i.kind for i in self.items})

    @property
    def reason(self) -> str:

        kinds = ", ".join(str(AssetKind(k).label).lower() for k in self.kinds)
        data = {"n": self.count, "kinds": kinds, "place": self.seed.place}
        if self.rule == "radius":
            return _("%(n)s assets (%(kinds)s) within %(km)s km of %(seed)s in %(place)s") % {
                **data,
                "km": f"{self.spread_km:.1f}",
                "seed": self.seed.code,
            }
        if self.rule == "address":
            return _("%(n)s assets (%(kinds)s) without coordinates at %(address)s in %(place)s") % {
                **data,
                "address": self.seed.address,
            }
        return _(
            "%(n)s assets (%(kinds)s) without coordinates or address, held by %(unit)s in %(place)s"
        ) % {**data, "unit": self.seed.unit}


def _family(kind: str) -> str:
    return FAMILY.get(kind, kind)


def _fits(group: list[Item], item: Item, max_size: int, max_value: Decimal | None) -> bool:
    if len(group) >= max_size:
        return False
    if max_value is None:
        return True
    return sum((i.value for i in group), ZERO) + item.value <= max_value


def suggest(
    items: Iterable[Item],
    *,
    radius_km: float = 2.0,
    max_size: int = 10,
    max_value: Decimal | None = None,
    min_size: int = 2,
    kind: str = "",
) -> list[Suggestion]:
    """Group ``items`` into suggestions (see the module's rules); sorted, deterministic."""
    pool = sorted(
        (i for i in items if not i.essential and (not kind or i.kind == kind)),
        key=lambda i: (i.code, i.id),
    )
    max_size = max(1, int(max_size))
    out: list[Suggestion] = []
    taken: set[int] = set()
    located = [i for i in pool if i.point is not None]
    for seed in located:
        if seed.id in taken:
            continue
        near = sorted(
            (
                (haversine_km(seed.point, i.point), i.code, i.id, i)
                for i in located
                if i.id not in taken
                and i.id != seed.id
                and i.jurisdiction_id == seed.jurisdiction_id
                and _family(i.kind) == _family(seed.kind)
            ),
            key=lambda t: t[:3],
        )
        group, spread = [seed], 0.0
        for d, _c, _i, item in near:
            if d > radius_km:
                break
            if _fits(group, item, max_size, max_value):
                group.append(item)
                spread = max(spread, d)
        if len(group) >= min_size:
            taken.update(i.id for i in group)
            out.append(Suggestion(group, "radius", radius_km, spread))
    # Without coordinates: by address, else by holding unit.
    buckets: dict[tuple, list[Item]] = {}
    for i in pool:
        if i.point is not None or i.id in taken:
            continue
        address = " ".join(i.address.lower().split())
        key = ("address", address) if address else ("unit", i.unit_id)
        buckets.setdefault((i.jurisdiction_id, _family(i.kind), *key), []).append(i)
    for key in sorted(buckets, key=repr):
        rest = buckets[key]
        while rest:
            group = [rest[0]]
            for item in rest[1:]:
                if _fits(group, item, max_size, max_value):
                    group.append(item)
            rest = [i for i in rest if i not in group]
            if len(group) >= min_size:
                out.append(Suggestion(group, key[2]))
    out.sort(key=lambda s: (-s.count, -s.total_appraised_value, s.seed.code, s.seed.id))
    for n, s in enumerate(out, start=1):
        s.key = f"S{n}-" + "-".join(str(i) for i in sorted(s.asset_ids))[:60]
    return out


def item_of(asset) -> Item:
    """An asset (from ``candidates.confirmed_candidates``) as the grouping needs it."""

    return Item(
        id=asset.pk,
        code=asset.code,
        name=asset.name,
        kind=asset.kind,
        jurisdiction_id=asset.unit.jurisdiction_id,
        place=asset.unit.jurisdiction.name,
        unit_id=asset.unit_id,
        unit=asset.unit.name,
        book_value=asset.book_value,
        appraised_value=asset.appraised_value,
        area=asset.area,
        latitude=None if asset.latitude is None else float(asset.latitude),
        longitude=None if asset.longitude is None else float(asset.longitude),
        address=asset.address or "",
        status=asset.status,
        essential=asset.criticality == Criticality.ESSENTIAL,
    )


def suggestions_for(
    user,
    *,
    radius_km: float = 2.0,
    kind: str = "",
    jurisdiction=None,
    max_size: int = 10,
    max_value: Decimal | None = None,
) -> list[Suggestion]:
    """Suggestions from the caller's confirmed candidates that no live package holds."""
    from panhuo.disposal.candidates import confirmed_candidates

    assets = confirmed_candidates(user, jurisdiction=jurisdiction)
    return suggest(
        (item_of(a) for a in assets.iterator(chunk_size=2000)),
        radius_km=radius_km,
        kind=kind,
        max_size=max_size,
        max_value=max_value,
    )
