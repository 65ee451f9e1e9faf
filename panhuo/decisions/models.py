"""Inputs of the hold/lease/sell decision set for one asset, each with its reason (issue 20):
they replace the place's default for that asset until changed or removed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field
from panhuo.decisions import permissions  # noqa: F401 (the policy rules of this app)
from panhuo.decisions.npv import BOUNDS

NAMES = [(name, name) for name in BOUNDS]


class AssetInput(models.Model):
    """One input (a rate, the horizon or the price factor) set for one asset, with the reason."""

    asset = models.ForeignKey(
        "register.Asset", on_delete=models.PROTECT, related_name="decision_inputs",
        verbose_name=_("asset"),
    )  # fmt: skip
    name = models.CharField(_("input"), max_length=32, choices=NAMES)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=300)
    set_by = actor_field()
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        ordering = ["asset", "name"]
        verbose_name = _("decision input of an asset")
        verbose_name_plural = _("decision inputs of assets")
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="decision_asset_input_unique"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="decision_input_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.name}={self.value}"
