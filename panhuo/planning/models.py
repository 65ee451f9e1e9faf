"""Work plans: a jurisdiction's annual targets (by quarter), milestones and tasks.

A plan is drafted by the office and approved through the approvals app (purpose
``work_plan``). Targets are typed; progress never is: it is computed from the records
(``planning.progress``). A revision is a new version of the same jurisdiction and year; the
previous version is kept and marked superseded when the revision is approved. The database
holds one approved plan and one open (draft, submitted or returned) plan per jurisdiction and
year.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import valid_choice
from panhuo.core.fields import MoneyField, actor_field, optional_ref, version_field
from panhuo.core.links import page_url
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Unit

FIRST_YEAR, LAST_YEAR = 2000, 2100
QUARTERS = (1, 2, 3, 4)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    SUPERSEDED = "superseded", _("Superseded")


#: The states in which a plan is still being worked on (at most one per jurisdiction and year).
OPEN_STATES = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED)


class Measure(models.TextChoices):
    MONEY = "money", _("Money raised")
    DEBT = "debt", _("Debt resolved")
    ASSETS = "assets", _("Assets activated")


class WorkPlan(policy.Scoped):
    """One version of a jurisdiction's plan for one year, with its annual totals."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="work_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    previous = optional_ref("self", related_name="revisions", verbose_name=_("revises"))
    money_total = MoneyField(_("money raised target"))
    debt_total = MoneyField(_("debt resolved target"))
    assets_total = models.PositiveIntegerField(_("assets activated target"))
    note = models.TextField(_("note"), blank=True)
    created_by = actor_field()
    submitted_by = actor_field(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    # A unit asset officer sees the plans that set targets for their unit.
    view_scope = policy.ViewScope(
        "work_plan", "jurisdiction__path", unit="targets__unit", distinct=True
    )

    class Meta:
        ordering = ["-year", "jurisdiction__path", "-number"]
        verbose_name, verbose_name_plural = _("work plan"), _("work plans")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "year", "number"], name="work_plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "year"],
                condition=Q(status="approved"),
                name="work_plan_one_approved",
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "year"],
                condition=Q(status__in=[s.value for s in OPEN_STATES]),
                name="work_plan_one_open",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="work_plan_year_range",
            ),
            models.CheckConstraint(
                condition=Q(money_total__gte=0) & Q(debt_total__gte=0),
                name="work_plan_totals_gte_0",
            ),
            valid_choice("status", PlanStatus, name="work_plan_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year} v{self.number}"

    get_absolute_url = page_url("plan-detail")


class PlanTarget(models.Model):
    """One quarter's target of one measure: money raised (no breakdown), debt resolved of one
    debt type, or assets activated of one unit through one channel (a count)."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices)
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    debt_type = models.CharField(_("debt type"), max_length=20, blank=True)
    unit = optional_ref(Unit, related_name="+", verbose_name=_("unit"))
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    amount = models.DecimalField(_("target"), max_digits=20, decimal_places=2)

    class Meta:
        ordering = ["plan", "measure", "quarter", "debt_type", "unit", "channel"]
        verbose_name, verbose_name_plural = _("plan target"), _("plan targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="plan_target_quarter"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_target_gte_0"),
            valid_choice("measure", Measure, name="plan_target_measure_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.measure} Q{self.quarter}: {self.amount}"


class Milestone(models.Model):
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        verbose_name, verbose_name_plural = _("milestone"), _("milestones")

    def __str__(self) -> str:
        return self.title


class PlanTask(models.Model):
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    owner = actor_field(verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        verbose_name, verbose_name_plural = _("plan task"), _("plan tasks")

    def __str__(self) -> str:
        return self.title
