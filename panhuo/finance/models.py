"""Money: receipts into the treasury, the debt register, and allocations of one to the other."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import valid_choice
from panhuo.core.fields import (
    MoneyField,
    actor_field,
    non_negative_money,
    optional_ref,
    positive_money,
    rate_field,
    version_field,
)
from panhuo.core.links import page_url
from panhuo.disposal.models import DisposalProject
from panhuo.finance.debts.system import (
    BOND_TYPES,
    BondPurpose,
    LiabilityClass,
    ProjectSector,
    RepaymentFunds,
    default_class,
    validate_credit_code,
)
from panhuo.finance.reversible import Reversible
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction


class BudgetClass(models.TextChoices):
    NON_TAX = "non_tax", _("Non-tax revenue")
    GOVERNMENT_FUND = "government_fund", _("Government fund revenue")


class ReceiptKind(models.TextChoices):
    """What a receipt is for. A forfeited deposit is money of the treasury (and may repay debt)
    but pays nothing a project is owed; a deposit applied to the price becomes a sale price."""

    SALE_PRICE = "sale_price", _("Sale price")
    RENT = "rent", _("Rent")
    CONCESSION_FEE = "concession_fee", _("Concession fee")
    FORFEITED_DEPOSIT = "forfeited_deposit", _("Forfeited deposit")


class DebtType(models.TextChoices):
    GENERAL_BOND = "general_bond", _("General bond")
    SPECIAL_BOND = "special_bond", _("Special bond")
    BANK_LOAN = "bank_loan", _("Bank loan")
    LGFV_BOND = "lgfv_bond", _("LGFV bond")
    TRUST_LEASING = "trust_leasing", _("Trust and leasing")
    ARREARS = "arrears", _("Arrears owed to companies")
    HIDDEN = "hidden", _("Hidden debt")
    #: A local government bond whose general/special split is not known (a balance reported
    #: as one figure): government debt, in neither the general nor the special figures.
    GOVERNMENT_BOND = "government_bond", _("Government bond (general/special not known)")


class RateType(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    FLOATING = "floating", _("Floating")


class ScheduleKind(models.TextChoices):
    """How a debt's repayment schedule was made (``finance.debts.schedules``); blank until it is."""

    BULLET = "bullet", _("Bullet (all principal at maturity)")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal")
    ANNUITY = "annuity", _("Annuity (equal instalments)")
    CUSTOM = "custom", _("Custom rows")


class ScheduleFrequency(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    SEMIANNUAL = "semiannual", _("Semi-annual")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")


class Receipt(policy.Scoped):
    """Proceeds of a concluded project paid into the treasury.

    ``allocated`` is the control total of this receipt's allocations, kept in the same
    transaction as each allocation so that the database itself refuses to allocate more than
    was received (a check constraint), even under concurrent writers.
    """

    project = models.ForeignKey(DisposalProject, on_delete=models.PROTECT, related_name="receipts")
    amount = positive_money(_("amount"))
    allocated = MoneyField(_("allocated"), default=Decimal("0.00"), editable=False)
    received_on = models.DateField(_("received on"))
    voucher = models.CharField(_("voucher number"), max_length=64)
    budget_class = models.CharField(
        _("budget classification"), max_length=20, choices=BudgetClass.choices
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReceiptKind.choices, default=ReceiptKind.SALE_PRICE
    )
    #: Empty only for a receipt a command's rule step made (a forfeited deposit of an award
    #: default found by ``panhuo auctions award-defaults``): its operator is in the audit log.
    recorded_by = actor_field(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    view_scope = policy.ViewScope("receipt", "project__package__jurisdiction__path")

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name, verbose_name_plural = _("receipt"), _("receipts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("amount")),
                name="receipt_allocated_within_amount",
            ),
            models.UniqueConstraint(fields=["voucher"], name="receipt_voucher_unique"),
            valid_choice("kind", ReceiptKind, name="receipt_kind_valid"),
        ]
        # Covering (PostgreSQL): a place's money sums read the index alone instead of receipts
        # scattered over millions of heap pages (bench/province.py: 0.6 s to 0.09 s). Other
        # databases get a plain index on the key.
        indexes = [
            models.Index(
                fields=["project"], include=["amount", "allocated"], name="receipt_project_cover"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voucher} ({self.amount})"

    get_absolute_url = page_url("receipt-detail")

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.project.package.jurisdiction


class DebtQuerySet(policy.ScopedQuerySet):
    def active(self) -> DebtQuerySet:
        """The debts not voided: what lists, indicators and allocations count."""
        return self.filter(voided_at__isnull=True)


class Debt(models.Model):
    """A debt of the jurisdiction. ``outstanding`` is the principal less the debt's repayment
    ledger (``finance.debts.models.Repayment``: budget, refinancing, disposal proceeds, swaps,
    write-offs, an opening entry), kept by the services in the same transaction as each entry
    and held between 0 and the principal by the database.

    A debt entered by mistake is voided, never deleted: it stays, marked with who, when and
    why, and leaves the lists, the indicators and the allocation targets."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="debts")
    creditor = models.CharField(_("creditor"), max_length=200)
    debt_type = models.CharField(_("type"), max_length=20, choices=DebtType.choices)
    principal = positive_money(_("principal"))
    rate = rate_field(_("interest rate (%)"))
    issue_date = models.DateField(_("issue date"))
    maturity_date = models.DateField(_("maturity date"))
    outstanding = non_negative_money(_("outstanding"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    rate_type = models.CharField(
        _("rate type"), max_length=8, choices=RateType.choices, default=RateType.FIXED
    )
    schedule_kind = models.CharField(
        _("schedule"), max_length=16, choices=ScheduleKind.choices, blank=True
    )
    schedule_frequency = models.CharField(
        _("schedule frequency"), max_length=12, choices=ScheduleFrequency.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = version_field()
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = actor_field(null=True, blank=True, editable=False)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)
    # The debt management system's fields (finance.debts.system); blank where not known.
    liability_class = models.CharField(
        _("liability class"), max_length=12, choices=LiabilityClass.choices
    )
    borrower = models.CharField(_("borrowing unit"), max_length=200, blank=True)
    borrower_credit_code = models.CharField(
        _("borrowing unit's credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    bond_code = models.CharField(_("bond code"), max_length=32, blank=True)
    bond_purpose = models.CharField(
        _("bond purpose"), max_length=12, choices=BondPurpose.choices, blank=True
    )
    project_name = models.CharField(_("project name"), max_length=200, blank=True)
    project_sector = models.CharField(
        _("project sector"), max_length=12, choices=ProjectSector.choices, blank=True
    )
    repayment_source = models.CharField(
        _("repayment source"), max_length=16, choices=RepaymentFunds.choices, blank=True
    )

    objects = DebtQuerySet.as_manager()
    view_scope = policy.ViewScope("debt", "jurisdiction__path")

    class Meta:
        ordering = ["maturity_date", "code"]
        verbose_name, verbose_name_plural = _("debt"), _("debts")
        # The risk page from today on reads the debts maturing within the year (those without
        # a schedule) and the debts issued after the date: ranges, not scans of the register.
        indexes = [
            models.Index(fields=["maturity_date"], name="debt_maturity"),
            models.Index(fields=["issue_date"], name="debt_issue"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="debt_principal_gt_0"),
            models.CheckConstraint(
                condition=Q(outstanding__gte=0) & Q(outstanding__lte=F("principal")),
                name="debt_outstanding_within_principal",
            ),
            models.CheckConstraint(
                condition=Q(maturity_date__gt=F("issue_date")), name="debt_matures_after_issue"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="debt_rate_gte_0"),
            # Voided with a reason and a time, or neither.
            models.CheckConstraint(
                condition=(Q(voided_at__isnull=True) & Q(void_reason=""))
                | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
                name="debt_void_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(schedule_kind__in=["", *ScheduleKind.values])
                & Q(schedule_frequency__in=["", *ScheduleFrequency.values]),
                name="debt_schedule_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(liability_class__in=LiabilityClass.values)
                & Q(bond_purpose__in=["", *BondPurpose.values])
                & Q(project_sector__in=["", *ProjectSector.values])
                & Q(repayment_source__in=["", *RepaymentFunds.values]),
                name="debt_system_choices_valid",
            ),
            # Local government bonds are government debt; hidden debt is implicit debt.
            models.CheckConstraint(
                condition=(~Q(debt_type__in=BOND_TYPES) | Q(liability_class="government"))
                & (~Q(debt_type="hidden") | Q(liability_class="implicit")),
                name="debt_class_fits_type",
                violation_error_message=_(
                    "A local government bond is government debt, and hidden debt is implicit debt."
                ),
            ),
            models.CheckConstraint(
                condition=Q(bond_purpose="") | Q(debt_type__in=BOND_TYPES),
                name="debt_purpose_only_for_bonds",
                violation_error_message=_(
                    "Only a local government bond is new, refinancing or replacement."
                ),
            ),
            models.CheckConstraint(
                condition=Q(borrower_credit_code="") | ~Q(borrower=""),
                name="debt_credit_code_with_borrower",
                violation_error_message=_("A credit code goes with the borrowing unit's name."),
            ),
            models.CheckConstraint(
                condition=Q(borrower_credit_code="") | Q(Exact(Length("borrower_credit_code"), 18)),
                name="debt_credit_code_length",
                violation_error_message=_("A unified social credit code has 18 characters."),
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "bond_code"],
                condition=~Q(bond_code=""),
                name="debt_bond_code_per_jurisdiction",
                violation_error_message=_(
                    "This bond code is already registered in this jurisdiction."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.creditor}"

    def save(self, *args, **kwargs) -> None:
        self._default_class()
        super().save(*args, **kwargs)

    get_absolute_url = page_url("debt-detail")

    def _default_class(self) -> None:
        """A debt given no liability class takes its type's (``system.default_class``)."""
        if not self.liability_class and self.debt_type:
            self.liability_class = default_class(self.debt_type)

    def clean_fields(self, exclude=None) -> None:
        self._default_class()
        super().clean_fields(exclude)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.issue_date and self.maturity_date and self.maturity_date <= self.issue_date:
            raise ValidationError({"maturity_date": _("The maturity date must follow issue.")})
        if (
            self.outstanding is not None
            and self.principal is not None
            and self.outstanding > self.principal
        ):
            raise ValidationError({"outstanding": _("Outstanding cannot exceed the principal.")})

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class AllocationQuerySet(policy.ScopedQuerySet):
    def net_total(self) -> Decimal:
        """Allocated less reversed: what these entries repaid, net."""
        from django.db.models import Case, Sum, When

        total = self.aggregate(
            s=Sum(Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount")))
        )["s"]
        return Decimal(total or 0).quantize(Decimal("0.01"))


class Allocation(Reversible, models.Model):
    """Part of a receipt applied to repay a debt: the link that makes every yuan traceable."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="allocations")
    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="allocations")
    amount = positive_money(_("amount"))
    allocated_on = models.DateField(_("allocated on"))
    allocated_by = actor_field()
    #: Set on a reversal: the allocation it undoes (in full). The ledger is never edited.
    reverses = optional_ref("self", related_name="reversal", one_to_one=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AllocationQuerySet.as_manager()
    view_scope = policy.ViewScope("allocation", "debt__jurisdiction__path")

    class Meta:
        ordering = ["-allocated_on", "-pk"]
        verbose_name, verbose_name_plural = _("allocation"), _("allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_gt_0")
        ]
        # Covering (PostgreSQL), for the repaid sums per debt: see Receipt's index.
        indexes = [
            models.Index(
                fields=["debt"], include=["amount", "reverses"], name="allocation_debt_cover"
            )
        ]

    def __str__(self) -> str:
        if self.reverses_id:
            return f"reversal of {self.receipt.voucher} → {self.debt.code}: {self.amount}"
        return f"{self.receipt.voucher} → {self.debt.code}: {self.amount}"

    get_absolute_url = page_url("receipt-detail", "receipt_id")


from panhuo.finance.debts.models import (  # noqa: E402, F401
    FiscalInputs,
    Repayment,
    RepaymentSource,
    RiskSettings,
    ScheduleRow,
)
from panhuo.finance.deposits.models import Deposit, DepositStatus  # noqa: E402, F401
from panhuo.finance.expected_models import (  # noqa: E402, F401
    DebtSettlement,
    DeferredSecurityKind,
    DeferredTerms,
    ExpectedKind,
    ExpectedReceipt,
)
from panhuo.finance.rollup_models import (  # noqa: E402, F401
    DebtDueMonthRollup,
    DebtDueRollup,
    DebtDueYearRollup,
    DebtRiskRollup,
    DebtRollup,
    MoneyRollup,
)
from panhuo.finance.securities.models import (  # noqa: E402, F401
    DebtSecurity,
    SecurityKind,
)
