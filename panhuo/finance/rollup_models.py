"""Finance's roll-ups, kept by its services in the same transaction as each write (README,
"Roll-ups"): money per jurisdiction (received and allocated of its receipts, repaid net by the
allocations to its debts) and its active debts per type and maturity year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.rollups import row_meta, total_field
from panhuo.organisation.rollups import PlaceRollupRow


class MoneyRollup(PlaceRollupRow):
    received = total_field(_("received"))
    allocated = total_field(_("allocated"))
    repaid = total_field(_("repaid through Panhuo"))

    shown = "received"
    Meta = row_meta(
        _("money roll-up"), _("money roll-ups"), ["jurisdiction"], "money_rollup_jurisdiction"
    )


class DebtRollup(PlaceRollupRow):
    debt_type = models.CharField(_("type"), max_length=20)
    maturity_year = models.PositiveSmallIntegerField(_("maturity year"))
    n = models.PositiveBigIntegerField(_("debts"), default=0)
    principal = total_field(_("principal"))
    outstanding = total_field(_("outstanding"))

    shown = "outstanding"
    Meta = row_meta(
        _("debt roll-up"),
        _("debt roll-ups"),
        ["jurisdiction", "debt_type", "maturity_year"],
        "debt_rollup_key",
    )


def _scaled_total(verbose_name) -> models.DecimalField:
    """A sum of products (outstanding × rate, amount × days) as a whole number of its smallest
    unit, in a decimal column without decimal places: exact on SQLite too, which would store a
    decimal with a fraction of 16 digits as a float, and a whole number up to SQLite's 9.2 × 10¹⁸
    (a district holds at most about 10¹⁷ fen-days). A plain integer column would refuse the
    largest amount Panhuo accepts (10¹³ yuan × 100 fen × 36,000 days), which this keeps, exact
    on PostgreSQL and as a float beyond 9.2 × 10¹⁸ on SQLite."""
    return models.DecimalField(verbose_name, max_digits=40, decimal_places=0, default=0)


class DebtRiskRollup(PlaceRollupRow):
    """Active debts per jurisdiction, type, liability class (as counted: the type's when not
    given) and rate type: what the risk indicators add up over the debts themselves."""

    debt_type = models.CharField(_("type"), max_length=20)
    liability_class = models.CharField(_("liability class"), max_length=12)
    rate_type = models.CharField(_("rate type"), max_length=8)
    n = models.BigIntegerField(_("debts"), default=0)
    outstanding = total_field(_("outstanding"))
    #: Σ outstanding × rate (percent), in units of 0.00001 (fen × thousandths of a percent).
    rate_weighted = _scaled_total(_("outstanding × rate"))

    Meta = row_meta(
        _("debt risk roll-up"),
        _("debt risk roll-ups"),
        ["jurisdiction", "debt_type", "liability_class", "rate_type"],
        "debt_risk_rollup_key",
    )


#: What a read of the due rows needs besides the date: in the date's index, so that the read
#: never visits the table (figures as key columns, not INCLUDE: SQLite has no INCLUDE).
COVERED = ("jurisdiction", "debt_type", "left", "left_days", "interest", "bullet_interest")


class _DueFigures(PlaceRollupRow):
    """What is still to be paid of the active debts' principal, per jurisdiction, type and due
    date (a schedule row's remainder once the repaid principal has paid the rows in order; a
    debt without a schedule: its outstanding at maturity)."""

    debt_type = models.CharField(_("type"), max_length=20)
    left = total_field(_("principal still to be paid"))
    #: Σ left (in fen) × days from 2000-01-01 to the due date: the days-weighted sum for any
    #: date.
    left_days = _scaled_total(_("principal × days"))
    interest = total_field(_("scheduled interest"))
    #: Debts without a schedule: a full year's interest on what is outstanding.
    bullet_interest = total_field(_("a year's interest without a schedule"))

    shown = "left"

    class Meta:
        abstract = True


def _due_meta(names: tuple, period: str, prefix: str, cover: str = "") -> type:
    """A due-date table's Meta: one row per jurisdiction, type and ``period`` (the constraint
    ``{prefix}_rollup_key``); ``cover``: the name of the index on the period that holds the
    figures, so that a read of the rows never visits the table (an index-only scan, no table
    page per row: bench/province.py)."""
    key = ["jurisdiction", "debt_type", period]
    covering = [models.Index(fields=[period, *COVERED], name=cover)] if cover else []
    return row_meta(*names, key, f"{prefix}_rollup_key", indexes=covering)


class DebtDueRollup(_DueFigures):
    due_date = models.DateField(_("due date"))

    # The two boundary months' rows are read from the index alone.
    Meta = _due_meta(
        (_("debt due-date roll-up"), _("debt due-date roll-ups")),
        "due_date",
        "debt_due",
        cover="debt_due_rollup_date_cover",
    )


class DebtDueMonthRollup(_DueFigures):
    month = models.DateField(_("month"))  # its first day

    Meta = _due_meta(
        (_("debt due-month roll-up"), _("debt due-month roll-ups")),
        "month",
        "debt_due_month",
        cover="debt_due_month_cover",
    )


class DebtDueYearRollup(_DueFigures):
    """The month rows summed per year: a province's indicators read these for every year but
    the two around the date (100 jurisdictions × 8 types × ~40 years instead of ~480 months)."""

    year = models.PositiveSmallIntegerField(_("year"))

    Meta = _due_meta(
        (_("debt due-year roll-up"), _("debt due-year roll-ups")), "year", "debt_due_year"
    )
