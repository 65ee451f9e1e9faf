"""Scorecards: the weights a plan gives each part of a unit's score, the scorecards issued for a
period (frozen with their figures, so that a reward or a punishment refers to stable numbers)
and the decisions recorded against them.

A scorecard is computed live from the records as of a day (``scorecards.compute``); issuing
one for a period stores what it showed then, figures, score, rank and tier, and never changes
it. The weights belong to the work plan: one row per plan whose five parts add up to 100 (a
database check, so no path can store weights that do not).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import filled_iff, valid_choice
from panhuo.core.fields import MoneyField, actor_field, version_field
from panhuo.core.links import page_url
from panhuo.organisation import policy
from panhuo.organisation.models import Unit
from panhuo.planning.models import WorkPlan

#: The parts of a score, in the order the card shows them (and the weights' field names).
PARTS = ("completion", "timeliness", "price", "compliance", "quality")


class Period(models.TextChoices):
    """A quarter of the plan's year, or the whole year."""

    Q1 = "Q1", _("First quarter")
    Q2 = "Q2", _("Second quarter")
    Q3 = "Q3", _("Third quarter")
    Q4 = "Q4", _("Fourth quarter")
    YEAR = "Y", _("Whole year")


class Tier(models.TextChoices):
    """The tiers of a score (thresholds in ``compute.TIER_FLOORS``)."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


def _weight(label):
    return models.PositiveSmallIntegerField(label)


class ScoreWeights(models.Model):
    """How much each part counts in a plan's scorecards, in whole percent adding up to 100.
    A plan without a row uses ``compute.DEFAULT_WEIGHTS``."""

    plan = models.OneToOneField(WorkPlan, on_delete=models.CASCADE, related_name="score_weights")
    completion = _weight(_("completion against the plan"))
    timeliness = _weight(_("timeliness"))
    price = _weight(_("price realisation"))
    compliance = _weight(_("compliance"))
    quality = _weight(_("register data quality"))
    updated_by = actor_field()
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    class Meta:
        ordering = ["plan"]
        verbose_name, verbose_name_plural = _("score weights"), _("score weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    completion__lte=100,
                    timeliness__lte=100,
                    price__lte=100,
                    compliance__lte=100,
                    quality__lte=100,
                ),
                name="score_weights_each_lte_100",
            ),
            models.CheckConstraint(
                condition=Q(
                    completion=100 - F("timeliness") - F("price") - F("compliance") - F("quality")
                ),
                name="score_weights_sum_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: " + " / ".join(str(getattr(self, p)) for p in PARTS)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("scorecard-weights", args=[self.plan_id])

    def as_dict(self) -> dict[str, int]:
        return {p: getattr(self, p) for p in PARTS}


class Scorecard(policy.Scoped):
    """A unit's scorecard for a period of a plan, issued: its figures frozen as they were on
    ``as_of`` (``figures`` holds every part's score, its figures and their drill-down links)."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.PROTECT, related_name="scorecards")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="scorecards")
    period = models.CharField(_("period"), max_length=2, choices=Period.choices)
    as_of = models.DateField(_("as of"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    rank = models.PositiveIntegerField(_("rank"))
    ranked_of = models.PositiveIntegerField(_("units ranked"))
    weights = models.JSONField(_("weights"), default=dict)
    figures = models.JSONField(_("figures"), default=list)
    issued_by = actor_field()
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    view_scope = policy.ViewScope("scorecard", "unit__jurisdiction__path", unit="unit")

    class Meta:
        ordering = ["plan", "period", "rank", "unit__code"]
        verbose_name, verbose_name_plural = _("scorecard"), _("scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "period"], name="scorecard_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="scorecard_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=F("ranked_of")), name="scorecard_rank"
            ),
            valid_choice("period", Period, name="scorecard_period_valid"),
            valid_choice("tier", Tier, name="scorecard_tier_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.plan.year} {self.period}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        url = reverse("scorecard-card", args=[self.plan_id, self.unit_id])
        return f"{url}?period={self.period}"


class DecisionKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation (通报表扬)")
    BUDGET_REWARD = "budget_reward", _("Budget reward (预算奖励)")
    INTERVIEW = "interview", _("Interview (约谈)")
    CRITICISM = "criticism", _("Notice of criticism (通报批评)")
    REFERRAL = "referral", _("Accountability referral (问责移送)")


#: Kinds that reward (the others punish).
REWARDS = (DecisionKind.COMMENDATION, DecisionKind.BUDGET_REWARD)


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Decision(policy.Scoped):
    """A reward or a punishment decided on an issued scorecard: proposed by the office,
    approved (or rejected) by the head through the approvals engine."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=16, choices=DecisionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices,
        default=DecisionStatus.PROPOSED,
    )  # fmt: skip
    reason = models.TextField(_("reason"))
    #: A budget reward's amount (yuan); none for the other kinds.
    amount = MoneyField(_("amount"), null=True, blank=True)
    proposed_by = actor_field()
    decided_by = actor_field(null=True, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = version_field()

    view_scope = policy.ViewScope(
        "scorecard", "scorecard__unit__jurisdiction__path", unit="scorecard__unit"
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name, verbose_name_plural = _("reward or punishment"), _("rewards and punishments")
        constraints = [
            valid_choice("kind", DecisionKind, name="score_decision_kind_valid"),
            valid_choice("status", DecisionStatus, name="score_decision_status_valid"),
            # An amount exactly for a budget reward, and above zero.
            models.CheckConstraint(
                condition=(Q(kind="budget_reward") & Q(amount__gt=0))
                | (~Q(kind="budget_reward") & Q(amount__isnull=True)),
                name="score_decision_amount",
            ),
            filled_iff(
                "decided_at", status="proposed", empty=True, name="score_decision_decided_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.scorecard}"

    get_absolute_url = page_url("scorecard-decision-detail")
