"""The register's roll-ups: its assets counted and valued per holding unit (and per
jurisdiction), status and kind.

Kept by ``register.rollups`` in the same transaction as every write that changes an asset's
unit, status, kind or book value; read by the dashboard, summed up the jurisdiction tree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.rollups import total_field
from panhuo.organisation.models import Jurisdiction, Unit


class AssetRollup(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16)
    kind = models.CharField(_("kind"), max_length=20)
    n = models.PositiveBigIntegerField(_("assets"), default=0)
    book_value = total_field(_("book value (cost)"))

    class Meta:
        verbose_name = _("asset roll-up")
        verbose_name_plural = _("asset roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "status", "kind"], name="asset_rollup_unit_status_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.status} {self.kind}: {self.n}"


class AssetPlaceRollup(models.Model):
    """The same figures per jurisdiction (its own units' assets, not its descendants'): what a
    reader whose grants are whole places sums up the tree — 100 jurisdictions' rows where the
    per-unit table holds one per unit (2,000 units in a province)."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16)
    kind = models.CharField(_("kind"), max_length=20)
    n = models.PositiveBigIntegerField(_("assets"), default=0)
    book_value = total_field(_("book value (cost)"))

    class Meta:
        verbose_name = _("asset roll-up per jurisdiction")
        verbose_name_plural = _("asset roll-ups per jurisdiction")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "status", "kind"], name="asset_place_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.status} {self.kind}: {self.n}"
