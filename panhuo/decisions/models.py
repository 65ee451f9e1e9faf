"""Inputs of the hold/lease/sell decision set for one asset or for a place, each with its
reason (issue 20): an asset's own input comes first, then the nearest place's (the asset's place
or one above it), then the built-in default, until changed or removed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field
from panhuo.decisions import permissions  # noqa: F401 (the policy rules of this app)
from panhuo.decisions.npv import BOUNDS
from panhuo.organisation.models import Jurisdiction

NAMES = [(name, name) for name in BOUNDS]


class InputSet(models.Model):
    """What every set input holds: which input, its value, why, by whom and when."""

    name = models.CharField(_("input"), max_length=32, choices=NAMES)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=300)
    set_by = actor_field()
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class AssetInput(InputSet):
    """One input (a rate, the horizon or the price factor) set for one asset, with the reason."""

    asset = models.ForeignKey(
        "register.Asset", on_delete=models.PROTECT, related_name="decision_inputs",
        verbose_name=_("asset"),
    )  # fmt: skip

    class Meta:
        ordering = ["asset", "name"]
        verbose_name = _("decision input of an asset")
        verbose_name_plural = _("decision inputs of assets")
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="decision_asset_input_unique"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="decision_input_reason"),
        ]


class PlaceInput(InputSet):
    """One input set for a place and the places below it, with the reason."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="decision_inputs",
        verbose_name=_("jurisdiction"),
    )  # fmt: skip

    class Meta:
        ordering = ["jurisdiction__path", "name"]
        verbose_name = _("decision input of a place")
        verbose_name_plural = _("decision inputs of places")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="decision_place_input"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="decision_place_reason"),
        ]


from panhuo.decisions.optimiser.models import OptimiserRun, RunStatus  # noqa: E402, F401
