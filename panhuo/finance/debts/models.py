"""A debt's repayment schedule, and the yearly fiscal figures its risk is measured against."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import filled_iff, valid_choice
from panhuo.core.fields import (
    actor_field,
    non_negative_money,
    optional_ref,
    percent_field,
    positive_money,
)
from panhuo.core.links import page_url
from panhuo.finance.reversible import Reversible
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction


class CapacitySource(models.TextChoices):
    ENTERED = "entered", _("entered as a total")
    DERIVED = "derived", _("derived from its parts")


class RepaymentSource(models.TextChoices):
    """Where the money (or the release) that reduced a debt came from."""

    BUDGET = "budget", _("Budget funds")
    REFINANCING = "refinancing", _("Refinancing bond proceeds")
    DISPOSAL = "disposal", _("Disposal proceeds")
    SWAP = "swap", _("Debt-for-asset swap")
    WRITE_OFF = "write_off", _("Write-off by agreement")
    OPENING = "opening", _("Repaid before registration")


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


def _figure(label, *, parts: bool = False):
    """A yearly figure that may be missing (null: not known, never read as zero)."""
    make = non_negative_money if parts else positive_money
    return make(label, null=True, blank=True, default=None)


#: Yearly totals that, when known, are above zero.
POSITIVE_FIGURES = ("comprehensive_fiscal_capacity", "budget_expenditure", "fund_expenditure",
                    "gdp", "general_debt_limit", "special_debt_limit")  # fmt: skip
#: The parts of comprehensive fiscal capacity: added, but for the last, taken away.
CAPACITY_PARTS = ("general_budget_revenue", "fund_revenue", "state_capital_revenue",
                  "transfers_in", "remittances_up")  # fmt: skip
#: Debt balances at the year's end as a place publishes them (zero or more), for a place
#: without a debt-by-debt register: the indicators then read these, and say so.
REPORTED_BALANCES = ("general_debt_balance", "special_debt_balance")


class FiscalInputs(models.Model):
    """A jurisdiction's figures for one year, entered or imported: the denominators of the
    debt risk indicators, its debt limits and GDP (DESIGN.md §2, debt risk). Any figure may be
    missing; a missing one stays missing (the indicators that need it are missing too).

    Comprehensive fiscal capacity = general budget revenue + government-fund revenue + state
    capital operation revenue + transfers from above − remittances up; entered as a total
    (``capacity_source`` says which) when the parts are not known."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="fiscal_inputs"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    comprehensive_fiscal_capacity = _figure(_("comprehensive fiscal capacity"))
    capacity_source = models.CharField(
        _("capacity from"), max_length=8, choices=CapacitySource.choices, blank=True, default=""
    )
    general_budget_revenue = _figure(_("general budget revenue"), parts=True)
    fund_revenue = _figure(_("government-fund revenue"), parts=True)
    state_capital_revenue = _figure(_("state capital operation revenue"), parts=True)
    transfers_in = _figure(_("transfers from above"), parts=True)
    remittances_up = _figure(_("remittances to above"), parts=True)
    budget_expenditure = _figure(_("budget expenditure"))
    # The denominator of the special-debt interest burden.
    fund_expenditure = _figure(_("government-fund expenditure"))
    gdp = _figure(_("GDP"))
    general_debt_limit = _figure(_("general debt limit"))
    special_debt_limit = _figure(_("special debt limit"))
    # Published balances at 31 December (a panel, not a register): used only where no debt
    # register exists for the place (``indicators_db.reported_indicators``).
    general_debt_balance = _figure(_("general debt balance (reported)"), parts=True)
    special_debt_balance = _figure(_("special debt balance (reported)"), parts=True)

    class Meta:
        ordering = ["jurisdiction", "-year"]
        verbose_name, verbose_name_plural = _("fiscal inputs"), _("fiscal inputs")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="fiscal_inputs_year"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gt": 0}),
                    name=f"fiscal_inputs_{name}_gt_0",
                )
                for name in POSITIVE_FIGURES
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"fiscal_inputs_{name}_gte_0",
                )
                for name in CAPACITY_PARTS + REPORTED_BALANCES
            ),
            models.CheckConstraint(
                condition=Q(comprehensive_fiscal_capacity__isnull=True, capacity_source="")
                | Q(
                    comprehensive_fiscal_capacity__isnull=False,
                    capacity_source__in=["entered", "derived"],
                ),
                name="fiscal_inputs_capacity_says_its_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year}"

    get_absolute_url = page_url("jurisdiction-detail", "jurisdiction_id")


#: Sources recorded by hand, each with its document; disposal proceeds and swaps are written by
#: the allocation and the swap that made them, opening entries by registration or import.
MANUAL_SOURCES = (RepaymentSource.BUDGET, RepaymentSource.REFINANCING, RepaymentSource.WRITE_OFF)


class RepaymentQuerySet(policy.ScopedQuerySet):
    def net_total(self) -> Decimal:
        """Repaid less reversed, summed in Python: exact on every database (SQLite sums
        decimals as floats)."""
        total = Decimal("0.00")
        for amount, reverses in self.values_list("amount", "reverses_id"):
            total += -amount if reverses else amount
        return total


class Repayment(Reversible, models.Model):
    """One entry of a debt's repayment ledger: the one truth of what reduced the debt.

    ``Debt.outstanding`` = principal − the net of these entries, kept by the services
    (``finance.debts.repayments``) in the entry's own transaction. An allocation of proceeds
    (and its reversal) and a debt-for-asset swap each write their entry here, linked, so that no
    reduction is counted twice or missed. Entries are never edited: a mistaken one is undone by a
    reversal, an entry of its own pointing at it."""

    debt = models.ForeignKey("finance.Debt", on_delete=models.PROTECT, related_name="repayments")
    source = models.CharField(_("source"), max_length=12, choices=RepaymentSource.choices)
    amount = positive_money(_("amount"))
    repaid_on = models.DateField(_("repaid on"))
    document = models.CharField(_("document"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    allocation = optional_ref("finance.Allocation", one_to_one=True, related_name="repayment")
    settlement = optional_ref("finance.DebtSettlement", one_to_one=True, related_name="repayment")
    #: Set on a reversal: the entry it undoes (in full).
    reverses = optional_ref("self", one_to_one=True, related_name="reversal")
    recorded_by = actor_field(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RepaymentQuerySet.as_manager()
    view_scope = policy.ViewScope("debt", "debt__jurisdiction__path")

    class Meta:
        ordering = ["-repaid_on", "-pk"]
        verbose_name, verbose_name_plural = _("repayment"), _("repayments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_gt_0"),
            valid_choice("source", RepaymentSource, name="repayment_source_valid"),
            filled_iff(
                "allocation",
                source=RepaymentSource.DISPOSAL,
                name="repayment_disposal_has_allocation",
            ),
            filled_iff(
                "settlement", source=RepaymentSource.SWAP, name="repayment_swap_has_settlement"
            ),
            models.CheckConstraint(
                condition=~Q(source__in=[s.value for s in MANUAL_SOURCES]) | ~Q(document=""),
                name="repayment_manual_has_document",
            ),
            models.UniqueConstraint(
                fields=["debt"],
                condition=Q(source=RepaymentSource.OPENING, reverses__isnull=True),
                name="repayment_one_opening",
            ),
        ]
        indexes = [models.Index(fields=["debt", "repaid_on"], name="repayment_debt_date")]

    def __str__(self) -> str:
        sign = "-" if self.reverses_id else ""
        return f"{self.debt_id} {self.repaid_on} {self.source}: {sign}{self.amount}"

    get_absolute_url = page_url("debt-detail", "debt_id")


class RiskSettings(models.Model):
    """A jurisdiction's own tier thresholds and its choice on missing fiscal years; what it
    does not set, its nearest ancestor's settings (or the MoF defaults) decide."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.PROTECT, related_name="risk_settings"
    )
    use_earlier_fiscal_year = models.BooleanField(
        _("use the latest earlier year's fiscal figures when a year has none"), default=False
    )
    debt_yellow = percent_field(_("debt ratio: yellow from (%)"), "120.00", high=999)
    debt_orange = percent_field(_("debt ratio: orange from (%)"), "200.00", high=999)
    debt_red = percent_field(_("debt ratio: red from (%)"), "300.00", high=999)
    overdue_initial = percent_field(_("overdue ratio: initial from (%)"), "10.00")
    overdue_medium = percent_field(_("overdue ratio: medium from (%)"), "20.00")
    overdue_severe = percent_field(_("overdue ratio: severe above (%)"), "50.00")
    interest_trigger = percent_field(_("interest burden: triggered above (%)"), "10.00")

    class Meta:
        ordering = ["jurisdiction__path"]
        verbose_name, verbose_name_plural = _("risk settings"), _("risk settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(debt_yellow__gt=0)
                & Q(debt_orange__gt=models.F("debt_yellow"))
                & Q(debt_red__gt=models.F("debt_orange")),
                name="risk_settings_debt_tiers_rise",
            ),
            models.CheckConstraint(
                condition=Q(overdue_initial__gt=0)
                & Q(overdue_medium__gt=models.F("overdue_initial"))
                & Q(overdue_severe__gt=models.F("overdue_medium")),
                name="risk_settings_overdue_tiers_rise",
            ),
            models.CheckConstraint(
                condition=Q(interest_trigger__gt=0), name="risk_settings_interest_trigger_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: risk settings"

    get_absolute_url = page_url("jurisdiction-detail", "jurisdiction_id")

    def thresholds(self):
        """These settings as the indicators' ``Thresholds``."""
        from panhuo.finance.debts.indicators import Thresholds

        return Thresholds(
            debt_yellow=self.debt_yellow,
            debt_orange=self.debt_orange,
            debt_red=self.debt_red,
            overdue_initial=self.overdue_initial,
            overdue_medium=self.overdue_medium,
            overdue_severe=self.overdue_severe,
            interest_trigger=self.interest_trigger,
        )
