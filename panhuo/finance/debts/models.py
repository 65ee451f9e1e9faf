"""A debt's repayment schedule, and the yearly fiscal figures its risk is measured against."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import non_negative_money, positive_money
from panhuo.core.links import page_url
from panhuo.organisation.models import Jurisdiction


class ScheduleRow(models.Model):
    """One instalment of a debt: principal and interest due on a date."""

    debt = models.ForeignKey("finance.Debt", on_delete=models.CASCADE, related_name="schedule")
    due_date = models.DateField(_("due date"))
    principal = non_negative_money(_("principal due"))
    interest = non_negative_money(_("interest due"), default=Decimal("0.00"))  # fmt: skip

    class Meta:
        ordering = ["debt", "due_date", "pk"]
        verbose_name = _("schedule row")
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gte=0) & Q(interest__gte=0), name="schedule_row_gte_0"
            ),
            models.UniqueConstraint(fields=["debt", "due_date"], name="schedule_row_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.debt_id} {self.due_date}: {self.principal} + {self.interest}"

    get_absolute_url = page_url("debt-detail", "debt_id")


class FiscalInputs(models.Model):
    """A jurisdiction's figures for one year, entered or imported: the denominators of the
    debt risk indicators (DESIGN.md §2, debt risk)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="fiscal_inputs"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    comprehensive_fiscal_capacity = positive_money(_("comprehensive fiscal capacity"))
    budget_expenditure = positive_money(_("budget expenditure"))

    class Meta:
        ordering = ["jurisdiction", "-year"]
        verbose_name = _("fiscal inputs")
        verbose_name_plural = _("fiscal inputs")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="fiscal_inputs_year"),
            models.CheckConstraint(
                condition=Q(comprehensive_fiscal_capacity__gt=0) & Q(budget_expenditure__gt=0),
                name="fiscal_inputs_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year}"

    get_absolute_url = page_url("jurisdiction-detail", "jurisdiction_id")
