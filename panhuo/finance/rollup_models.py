"""Finance's roll-ups, kept by its services in the same transaction as each write (README,
"Roll-ups"): money per jurisdiction (received and allocated of its receipts, repaid net by the
allocations to its debts) and its active debts per type and maturity year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.rollups import total_field
from panhuo.organisation.models import Jurisdiction


class MoneyRollup(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    received = total_field(_("received"))
    allocated = total_field(_("allocated"))
    repaid = total_field(_("repaid through Panhuo"))

    class Meta:
        verbose_name = _("money roll-up")
        verbose_name_plural = _("money roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction"], name="money_rollup_jurisdiction")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id}: {self.received}"


class DebtRollup(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    debt_type = models.CharField(_("type"), max_length=20)
    maturity_year = models.PositiveSmallIntegerField(_("maturity year"))
    n = models.PositiveBigIntegerField(_("debts"), default=0)
    principal = total_field(_("principal"))
    outstanding = total_field(_("outstanding"))

    class Meta:
        verbose_name = _("debt roll-up")
        verbose_name_plural = _("debt roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "debt_type", "maturity_year"], name="debt_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.debt_type} {self.maturity_year}: {self.outstanding}"


def _scaled_total(verbose_name) -> models.DecimalField:
    """A sum of products (outstanding × rate, amount × days) as a whole number of its smallest
    unit, in a decimal column without decimal places: exact on SQLite too, which would store a
    decimal with a fraction of 16 digits as a float, and a whole number up to SQLite's 9.2 × 10¹⁸
    (a district holds at most about 10¹⁷ fen-days). A plain integer column would refuse the
    largest amount Panhuo accepts (10¹³ yuan × 100 fen × 36,000 days), which this keeps, exact
    on PostgreSQL and as a float beyond 9.2 × 10¹⁸ on SQLite."""
    return models.DecimalField(verbose_name, max_digits=40, decimal_places=0, default=0)


class DebtRiskRollup(models.Model):
    """Active debts per jurisdiction, type, liability class (as counted: the type's when not
    given) and rate type: what the risk indicators add up over the debts themselves."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    debt_type = models.CharField(_("type"), max_length=20)
    liability_class = models.CharField(_("liability class"), max_length=12)
    rate_type = models.CharField(_("rate type"), max_length=8)
    n = models.BigIntegerField(_("debts"), default=0)
    outstanding = total_field(_("outstanding"))
    #: Σ outstanding × rate (percent), in units of 0.00001 (fen × thousandths of a percent).
    rate_weighted = _scaled_total(_("outstanding × rate"))

    class Meta:
        verbose_name = _("debt risk roll-up")
        verbose_name_plural = _("debt risk roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "debt_type", "liability_class", "rate_type"],
                name="debt_risk_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.debt_type} {self.liability_class}: {self.n}"


#: What a read of the due rows needs besides the date: in the date's index, so that the read
#: never visits the table (figures as key columns, not INCLUDE: SQLite has no INCLUDE).
COVERED = ("jurisdiction", "debt_type", "left", "left_days", "interest", "bullet_interest")


class _DueFigures(models.Model):
    """What is still to be paid of the active debts' principal, per jurisdiction, type and due
    date (a schedule row's remainder once the repaid principal has paid the rows in order; a
    debt without a schedule: its outstanding at maturity)."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    debt_type = models.CharField(_("type"), max_length=20)
    left = total_field(_("principal still to be paid"))
    #: Σ left (in fen) × days from 2000-01-01 to the due date: the days-weighted sum for any
    #: date.
    left_days = _scaled_total(_("principal × days"))
    interest = total_field(_("scheduled interest"))
    #: Debts without a schedule: a full year's interest on what is outstanding.
    bullet_interest = total_field(_("a year's interest without a schedule"))

    class Meta:
        abstract = True


class DebtDueRollup(_DueFigures):
    due_date = models.DateField(_("due date"))

    class Meta:
        verbose_name = _("debt due-date roll-up")
        verbose_name_plural = _("debt due-date roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "debt_type", "due_date"], name="debt_due_rollup_key"
            )
        ]
        # The figures in the index: the two boundary months' rows are read from it alone
        # (an index-only scan, no table page per row: bench/province.py).
        indexes = [models.Index(fields=["due_date", *COVERED], name="debt_due_rollup_date_cover")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.debt_type} {self.due_date}: {self.left}"


class DebtDueMonthRollup(_DueFigures):
    month = models.DateField(_("month"))  # its first day

    class Meta:
        verbose_name = _("debt due-month roll-up")
        verbose_name_plural = _("debt due-month roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "debt_type", "month"], name="debt_due_month_rollup_key"
            )
        ]
        indexes = [models.Index(fields=["month", *COVERED], name="debt_due_month_cover")]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.debt_type} {self.month}: {self.left}"


class DebtDueYearRollup(_DueFigures):
    """The month rows summed per year: a province's indicators read these for every year but
    the two around the date (100 jurisdictions × 8 types × ~40 years instead of ~480 months)."""

    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("debt due-year roll-up")
        verbose_name_plural = _("debt due-year roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "debt_type", "year"], name="debt_due_year_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.debt_type} {self.year}: {self.left}"
