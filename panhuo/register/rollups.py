"""The register's roll-up (``AssetRollup``): assets counted and valued per holding unit, status
and kind, kept in the same transaction as each write to the assets (README, "Roll-ups").

``refresh(unit_ids=..., jurisdiction_ids=...)`` is the one call every write path makes — the
services, the import (and its revert) and any bulk writer: it recomputes those units' rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from panhuo.core import rollups
from panhuo.organisation import policy
from panhuo.organisation.models import Unit
from panhuo.register.models import Asset, AssetRollup


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


def refresh(
    unit_ids: Iterable[int] | None = None, jurisdiction_ids: Iterable[int] | None = None
) -> None:
    """Recompute the roll-up rows of these holding units and of every unit of these
    jurisdictions (their own units, not their descendants'), inside the caller's transaction."""
    ids = set(unit_ids or ())
    if jurisdiction_ids:
        ids |= set(
            Unit.objects.filter(jurisdiction_id__in=list(jurisdiction_ids)).values_list(
                "pk", flat=True
            )
        )
    rollups.refresh(ASSETS, ids)


def count(changes: Iterable[tuple[int, int, str, str, Decimal]]) -> None:
    """Apply asset changes known row by row — (sign, unit id, status, kind, book value): +1 for
    an asset as it is now, -1 for one as it was — in the caller's transaction (the import's
    batches: recomputing every unit a batch touches would read every asset of each)."""
    deltas: dict[tuple, dict[str, Any]] = defaultdict(lambda: {"n": 0, "book_value": Decimal(0)})
    for sign, unit_id, status, kind, book in changes:
        d = deltas[(unit_id, status, kind)]
        d["n"] += sign
        d["book_value"] += sign * Decimal(book or 0)
    rollups.add(ASSETS, {k: v for k, v in deltas.items() if v["n"] or v["book_value"]})


def asset_cells(user):
    """Counts and book values by (status, kind) over the units ``user`` may view the assets
    of, summed up the jurisdiction tree from the roll-up."""
    scope = policy.scope_q(user, "asset", "view", path="unit__jurisdiction__path", unit="unit")
    return (
        AssetRollup.objects.filter(scope)
        .values("status", "kind")
        .annotate(n=Sum("n"), value=Sum("book_value"))
        .order_by()
    )
