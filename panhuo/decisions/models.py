"""Inputs of the hold/lease/sell decision set for one asset or for a place, each with its
reason (issue 20): an asset's own input comes first, then the nearest place's (the asset's place
or one above it), then the built-in default, until changed or removed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field
from panhuo.decisions import permissions  # noqa: F401 (the policy rules of this app)
from panhuo.decisions.npv import BOUNDS
from panhuo.organisation import policy
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


def _input_meta(order: str, names: tuple, constraint_names: tuple[str, str]) -> type:
    """An input table's Meta, listed by ``order`` (its holder first) and name: at most one
    input of each name per holder, never one without its reason (the constraints named)."""
    unique, reasoned = constraint_names
    constraints = [
        models.UniqueConstraint(fields=[order.split("__")[0], "name"], name=unique),
        models.CheckConstraint(condition=~models.Q(reason=""), name=reasoned),
    ]
    options = {"verbose_name": names[0], "verbose_name_plural": names[1]}
    return type("Meta", (), {**options, "ordering": [order, "name"], "constraints": constraints})


class AssetInput(InputSet):
    """One input (a rate, the horizon or the price factor) set for one asset, with the reason."""

    asset = models.ForeignKey(
        "register.Asset", on_delete=models.PROTECT, related_name="decision_inputs",
        verbose_name=_("asset"),
    )  # fmt: skip

    Meta = _input_meta(
        "asset",
        (_("decision input of an asset"), _("decision inputs of assets")),
        ("decision_asset_input_unique", "decision_input_reason"),
    )


class PlaceInput(InputSet):
    """One input set for a place and the places below it, with the reason."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="decision_inputs",
        verbose_name=_("jurisdiction"),
    )  # fmt: skip

    Meta = _input_meta(
        "jurisdiction__path",
        (_("decision input of a place"), _("decision inputs of places")),
        ("decision_place_input", "decision_place_reason"),
    )


class ScenarioRun(policy.Scoped):
    """A stored run of the scenarios (issue 20, item 4): the place and day, the parameters as
    asked and as used (the seed, the failure rate read from the place's history), who ran it,
    and what came out: per quarter the plan, P5/P50/P95 of the proceeds, the debt service and
    the probability it is missed. Re-running ``params`` as of ``on`` on the same records gives
    the same figures (``runs.rerun``). Read with debt.view in its place."""

    title = models.CharField(_("title"), max_length=120, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="scenario_runs",
        verbose_name=_("jurisdiction"),
    )  # fmt: skip
    on = models.DateField(_("as of"))
    seed = models.BigIntegerField(_("seed"))
    scenarios = models.PositiveIntegerField(_("scenarios"))
    asked = models.JSONField(_("parameters asked"), default=dict)
    params = models.JSONField(_("parameters used"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    worst_miss = models.DecimalField(_("highest probability of a missed quarter"),
                                     max_digits=5, decimal_places=4)  # fmt: skip
    ran_by = actor_field(verbose_name=_("run by"))
    ran_at = models.DateTimeField(_("run at"), auto_now_add=True)

    view_scope = policy.ViewScope("debt", "jurisdiction__path")

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = _("scenario run")
        verbose_name_plural = _("scenario runs")

    def __str__(self) -> str:
        return self.title or f"{self.jurisdiction} {self.on} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("scenario-run", args=[self.pk])


from panhuo.decisions.optimiser.models import OptimiserRun, RunStatus  # noqa: E402, F401
