"""Fiscal revenue by jurisdiction, month and budget category, and the thresholds of its alerts.

Categories are data (a small tree seeded by a migration: tax, non-tax and government fund
revenue with their main items), so a jurisdiction whose budget classification differs can add
items without a code change. Figures are entered only for leaf categories; a parent's figure is
always the sum of its children, computed, never stored, so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import optional_ref
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction

FIRST_MONTH = dt.date(1990, 1, 1)
LAST_MONTH = dt.date(2100, 12, 1)


class Budget(models.TextChoices):
    """The three budgets a category belongs to (its top-level ancestor)."""

    TAX = "tax", _("Tax revenue")
    NON_TAX = "non_tax", _("Non-tax revenue")
    FUND = "fund", _("Government fund revenue")


class RevenueCategory(models.Model):
    """One item of the revenue classification; ``parent`` null for the three budgets."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    parent = optional_ref("self", related_name="children")
    budget = models.CharField(_("budget"), max_length=16, choices=Budget.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name, verbose_name_plural = _("revenue category"), _("revenue categories")
        constraints = [
            # A top-level category is one of the budgets and carries its code.
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(code=models.F("budget")),
                name="monitor_category_top_is_budget",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="monitor_category_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("revenue-list") + f"?category={self.code}"

    @property
    def label(self) -> str:
        """The name in the active language (the Chinese name for Chinese readers)."""
        lang = (translation.get_language() or "").lower()
        return self.name_zh if lang.startswith("zh") and self.name_zh else self.name


class RevenueRecord(policy.Scoped):
    """One figure: what a jurisdiction collected in a month under a leaf category, in yuan.

    Amounts may be negative (a month of large tax refunds nets below zero), as budget execution
    reports show them.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="revenue_records"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    category = models.ForeignKey(RevenueCategory, on_delete=models.PROTECT, related_name="records")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=20, decimal_places=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    view_scope = policy.ViewScope("revenue", "jurisdiction__path")

    class Meta:
        ordering = ["jurisdiction__path", "-month", "category__position"]
        verbose_name, verbose_name_plural = _("revenue figure"), _("revenue figures")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "month", "category"], name="monitor_record_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=FIRST_MONTH) & Q(month__lte=LAST_MONTH),
                name="monitor_record_month_range",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("-1e17")) & Q(amount__lt=Decimal("1e17")),
                name="monitor_record_amount_range",
            ),
        ]
        indexes = [models.Index(fields=["jurisdiction", "month"], name="monitor_record_j_month")]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.month:%Y-%m} {self.category}: {self.amount}"

    def get_absolute_url(self) -> str:
        return (
            reverse("revenue-list") + f"?jurisdiction={self.jurisdiction_id}&year={self.month.year}"
        )


class MonitorThresholds(models.Model):
    """A jurisdiction's alert thresholds; places without their own follow the nearest ancestor,
    and the defaults apply above them all."""

    DEFAULT_LAND_DEPENDENCE = Decimal("40.00")
    DEFAULT_GROWTH_MARGIN = Decimal("0.00")

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.PROTECT, related_name="monitor_thresholds"
    )
    land_dependence_pct = models.DecimalField(
        _("land dependence threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_LAND_DEPENDENCE,
        help_text=_(
            "Alert when land-use right sales exceed this share of general budget and fund revenue."
        ),
    )
    growth_margin_pct = models.DecimalField(
        _("growth margin (percentage points)"),
        max_digits=6,
        decimal_places=2,
        default=DEFAULT_GROWTH_MARGIN,
        help_text=_("Alert when non-tax revenue or fines grow faster than tax by more than this."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["jurisdiction__path"]
        verbose_name, verbose_name_plural = _("monitor thresholds"), _("monitor thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(land_dependence_pct__gte=0) & Q(land_dependence_pct__lte=100),
                name="monitor_thresholds_land_pct",
            ),
            models.CheckConstraint(
                condition=Q(growth_margin_pct__gte=0), name="monitor_thresholds_margin"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.land_dependence_pct} % / {self.growth_margin_pct} pp"

    def get_absolute_url(self) -> str:
        return reverse("monitor") + f"?jurisdiction={self.jurisdiction_id}"
