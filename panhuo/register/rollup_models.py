"""The register's roll-ups: its assets counted and valued per holding unit (and per
jurisdiction), status and kind.

Kept by ``register.rollups`` in the same transaction as every write that changes an asset's
unit, status, kind or book value; read by the dashboard, summed up the jurisdiction tree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.rollups import RollupRow, row_meta, total_field
from panhuo.organisation.models import Unit
from panhuo.organisation.rollups import PlaceRollupRow


class _AssetFigures(RollupRow):
    """Assets counted and valued per status and kind (of a place the subclass names)."""

    status = models.CharField(_("status"), max_length=16)
    kind = models.CharField(_("kind"), max_length=20)
    n = models.PositiveBigIntegerField(_("assets"), default=0)
    book_value = total_field(_("book value (cost)"))

    class Meta:
        abstract = True


class AssetRollup(_AssetFigures):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    Meta = row_meta(
        _("asset roll-up"),
        _("asset roll-ups"),
        ["unit", "status", "kind"],
        "asset_rollup_unit_status_kind",
    )


class AssetPlaceRollup(PlaceRollupRow, _AssetFigures):
    """The same figures per jurisdiction (its own units' assets, not its descendants'): what a
    reader whose grants are whole places sums up the tree — 100 jurisdictions' rows where the
    per-unit table holds one per unit (2,000 units in a province)."""

    Meta = row_meta(
        _("asset roll-up per jurisdiction"),
        _("asset roll-ups per jurisdiction"),
        ["jurisdiction", "status", "kind"],
        "asset_place_rollup_key",
    )
