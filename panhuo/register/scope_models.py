"""Scope: which assets may go. Rules propose; the task force decides, and the decision is kept."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field, non_negative_money
from panhuo.core.links import page_of, page_url
from panhuo.organisation.models import Jurisdiction


class ScopeRuleSet(models.Model):
    """The scope rules of one jurisdiction (one row each; defaults from DESIGN.md §2.2)."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.CASCADE, related_name="scope_rules"
    )
    min_idle_months = models.PositiveIntegerField(_("idle at least (months)"), default=6)
    include_under_used = models.BooleanField(_("include under-used assets"), default=True)
    exclude_supporting = models.BooleanField(_("exclude supporting assets"), default=False)
    require_clear_title = models.BooleanField(_("require a complete title"), default=True)
    require_unencumbered = models.BooleanField(_("require no encumbrance"), default=True)
    min_value = non_negative_money(_("minimum book value"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["jurisdiction__path"]
        verbose_name, verbose_name_plural = _("scope rules"), _("scope rules")

    def __str__(self) -> str:
        return f"Scope rules of {self.jurisdiction}"

    get_absolute_url = page_url("scope-proposal", None)

    def as_json(self) -> dict:
        return {
            "min_idle_months": self.min_idle_months,
            "include_under_used": self.include_under_used,
            "exclude_supporting": self.exclude_supporting,
            "require_clear_title": self.require_clear_title,
            "require_unencumbered": self.require_unencumbered,
            "min_value": str(self.min_value),
        }


class ScopeDecision(models.Model):
    """The task force's recorded decision: which assets are in scope, by whom and when, under
    which rules; each asset with the reasons that put it in or kept it out."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="scope_decisions"
    )
    decided_by = actor_field()
    decided_at = models.DateTimeField(auto_now_add=True)
    rules = models.JSONField(default=dict)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("scope decision")

    def __str__(self) -> str:
        return f"Scope decision #{self.pk} ({self.jurisdiction})"

    get_absolute_url = page_url("scope-decision-detail")


class ScopeDecisionItem(models.Model):
    decision = models.ForeignKey(ScopeDecision, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey("register.Asset", on_delete=models.PROTECT, related_name="+")
    included = models.BooleanField()
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["decision", "asset"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "asset"], name="scope_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {'in' if self.included else 'out'}"

    get_absolute_url = page_of("decision")
