"""The register's roll-ups (``AssetRollup``, ``AssetPlaceRollup``): assets counted and valued
per holding unit (and per jurisdiction), status and kind, kept in the same transaction as each
write to the assets (README, "Roll-ups").

``refresh(unit_ids=..., jurisdiction_ids=...)`` is the one call every write path makes — the
services, the import (and its revert) and any bulk writer: it recomputes those units' rows and
moves their jurisdictions' rows by what the units' rows changed (a unit never changes
jurisdiction). ``count`` does both by delta for the import's batches.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Sum

from panhuo.core import rollups
from panhuo.organisation import policy
from panhuo.organisation.models import Role, Unit
from panhuo.organisation.rollups import per_place
from panhuo.register.models import Asset, AssetPlaceRollup, AssetRollup


def _compute(unit_ids: list[int] | None):
    qs = Asset.objects.all() if unit_ids is None else Asset.objects.filter(unit_id__in=unit_ids)
    return (
        qs.values("unit_id", "status", "kind")
        .annotate(n=Count("id"), book_value=Sum("book_value"))
        .order_by()
    )


def _where(unit_id: int) -> str:
    unit = Unit.objects.select_related("jurisdiction").filter(pk=unit_id).first()
    if unit is None:
        return f"unit {unit_id}"
    return f"{unit.jurisdiction.name} ({unit.jurisdiction.path}) / {unit.name} (unit {unit_id})"


ASSETS = rollups.register(
    rollups.Rollup(
        name="assets",
        model=AssetRollup,
        key="unit_id",
        groups=("status", "kind"),
        figures=("n", "book_value"),
        compute=_compute,
        lock=Unit,
        where=_where,
    )
)


def _compute_places(ids: list[int] | None):
    qs = Asset.objects.all() if ids is None else Asset.objects.filter(
        unit__jurisdiction_id__in=ids
    )  # fmt: skip
    return (
        qs.values("status", "kind", jurisdiction_id=F("unit__jurisdiction_id"))
        .annotate(n=Count("id"), book_value=Sum("book_value"))
        .order_by()
    )


PLACES = per_place("asset_places", AssetPlaceRollup, ("n", "book_value"), _compute_places)


def _unit_rows(ids: set[int]) -> dict[tuple, dict[str, Any]]:
    """The per-unit rows of these units, summed per (jurisdiction, status, kind)."""
    out: dict[tuple, dict[str, Any]] = defaultdict(lambda: {"n": 0, "book_value": Decimal(0)})
    listed = sorted(ids)
    for start in range(0, len(listed), rollups.CHUNK):
        rows = AssetRollup.objects.filter(unit_id__in=listed[start : start + rollups.CHUNK])
        for j, status, kind, n, book in rows.values_list(
            "unit__jurisdiction_id", "status", "kind", "n", "book_value"
        ):
            cell = out[(j, status, kind)]
            cell["n"] += n
            cell["book_value"] += book
    return out


_deferred = threading.local()


@contextmanager
def deferred() -> Iterator[None]:
    """Within it, ``refresh`` notes the units and jurisdictions it is given and recomputes them
    all once, when the block ends without an error: for one transaction that registers many
    assets through the services one by one (the demo's register of 2,160), where recomputing
    the unit after each asset cost most of each registration. Only inside a transaction, so
    nobody ever reads the roll-ups behind their assets, and only around writes that read no
    roll-up themselves. Nested blocks leave the recomputation to the outermost."""
    if getattr(_deferred, "places", None) is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("register roll-ups are deferred only inside a transaction")
    _deferred.places = (set(), set())
    try:
        yield
        unit_ids, jurisdiction_ids = _deferred.places
    finally:
        _deferred.places = None
    refresh(unit_ids=unit_ids, jurisdiction_ids=jurisdiction_ids)


def refresh(
    unit_ids: Iterable[int] | None = None, jurisdiction_ids: Iterable[int] | None = None
) -> None:
    """Recompute the roll-up rows of these holding units and of every unit of these
    jurisdictions (their own units, not their descendants'), inside the caller's transaction;
    their jurisdictions' rows move by the difference (inside ``deferred``: when it ends)."""
    places = getattr(_deferred, "places", None)
    if places is not None:
        places[0].update(i for i in unit_ids or () if i is not None)
        places[1].update(i for i in jurisdiction_ids or () if i is not None)
        return
    ids = {i for i in unit_ids or () if i is not None}
    if jurisdiction_ids:
        ids |= set(
            Unit.objects.filter(jurisdiction_id__in=list(jurisdiction_ids)).values_list(
                "pk", flat=True
            )
        )
    if not ids:
        return
    with transaction.atomic():
        for start in range(0, len(ids), rollups.CHUNK):  # the units first, as refresh does
            rollups.lock(ASSETS, sorted(ids)[start : start + rollups.CHUNK])
        before = _unit_rows(ids)
        rollups.refresh(ASSETS, ids)
        after = _unit_rows(ids)
        _move_places(before, after)


def _move_places(before: dict[tuple, dict], after: dict[tuple, dict]) -> None:
    deltas = {}
    for k in set(before) | set(after):
        a, b = after.get(k, {}), before.get(k, {})
        d = {f: a.get(f, 0) - b.get(f, 0) for f in ("n", "book_value")}
        if d["n"] or d["book_value"]:
            deltas[k] = d
    if deltas:
        rollups.add(PLACES, deltas)


def count(changes: Iterable[tuple[int, int, str, str, Decimal]]) -> None:
    """Apply asset changes known row by row — (sign, unit id, status, kind, book value): +1 for
    an asset as it is now, -1 for one as it was — in the caller's transaction (the import's
    batches: recomputing every unit a batch touches would read every asset of each)."""
    deltas: dict[tuple, dict[str, Any]] = defaultdict(lambda: {"n": 0, "book_value": Decimal(0)})
    for sign, unit_id, status, kind, book in changes:
        d = deltas[(unit_id, status, kind)]
        d["n"] += sign
        d["book_value"] += sign * Decimal(book or 0)
    deltas = {k: v for k, v in deltas.items() if v["n"] or v["book_value"]}
    rollups.add(ASSETS, deltas)
    places = dict(
        Unit.objects.filter(pk__in={k[0] for k in deltas}).values_list("pk", "jurisdiction_id")
    )
    moved: dict[tuple, dict[str, Any]] = defaultdict(lambda: {"n": 0, "book_value": Decimal(0)})
    for (unit_id, status, kind), d in deltas.items():
        cell = moved[(places[unit_id], status, kind)]
        cell["n"] += d["n"]
        cell["book_value"] += d["book_value"]
    _move_places({}, moved)


def asset_cells(user, *, per_unit: bool = True):
    """Counts and book values by (status, kind) over the units ``user`` may view the assets
    of, summed up the jurisdiction tree from the roll-up: the per-jurisdiction one unless
    ``per_unit`` or the user is a unit asset officer (whose grant is one unit)."""
    if not per_unit and not policy.has_role(user, Role.UNIT_OFFICER):
        return (
            AssetPlaceRollup.objects.filter(
                policy.scope_q(user, "asset", "view", path="jurisdiction__path")
            )
            .values("status", "kind")
            .annotate(n=Sum("n"), value=Sum("book_value"))
            .order_by()
        )
    scope = policy.scope_q(user, "asset", "view", path="unit__jurisdiction__path", unit="unit")
    return (
        AssetRollup.objects.filter(scope)
        .values("status", "kind")
        .annotate(n=Sum("n"), value=Sum("book_value"))
        .order_by()
    )
