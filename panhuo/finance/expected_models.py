"""Money a disposal is owed over time (rent, instalments, fees, tranches, deposits) and the
non-cash settlement of a debt by an asset swap."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import valid_choice
from panhuo.core.fields import MoneyField, actor_field, positive_money
from panhuo.core.links import page_url
from panhuo.organisation import policy


class ExpectedKind(models.TextChoices):
    RENT = "rent", _("Rent")
    #: The deal price in one payment (the deal's own row, or a plan of one row).
    PAYMENT = "payment", _("Payment in full")
    INSTALMENT = "instalment", _("Instalment")
    FEE = "fee", _("Concession fee")
    TRANCHE = "tranche", _("Tranche proceeds")
    DEPOSIT = "deposit", _("Deposit")


class DeferredSecurityKind(models.TextChoices):
    GUARANTEE = "guarantee", _("Guarantee (保证)")
    PLEDGE = "pledge", _("Pledge (质押)")
    MORTGAGE = "mortgage", _("Mortgage (抵押)")


class ExpectedReceipt(policy.Scoped):
    """An amount a project is owed on a date. Receipts are matched to these in due-date order
    (see ``finance.selectors.expected_status``): one due and not covered by then is in arrears.
    A contract ended early cancels what fell due after its end (kept, marked cancelled, with
    the time it was cancelled: a figure as of an earlier day still counts it)."""

    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.CASCADE, related_name="expected_receipts"
    )
    due_date = models.DateField(_("due date"))
    amount = positive_money(_("amount"))
    kind = models.CharField(_("kind"), max_length=12, choices=ExpectedKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    #: When it was cancelled (the services set it; rows cancelled before there was this field
    #: got the time of the project's audited step that cancelled them, migration 0022). A
    #: cancelled row without it counts as cancelled on every day.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    view_scope = policy.ViewScope("receipt", "project__package__jurisdiction__path")

    class Meta:
        ordering = ["project", "due_date", "pk"]
        verbose_name, verbose_name_plural = _("expected receipt"), _("expected receipts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expected_amount_gt_0"),
            valid_choice("kind", ExpectedKind, name="expected_kind_valid"),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(cancelled=True),
                name="expected_cancelled_at_only_if_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.due_date} {self.kind} {self.amount}"

    get_absolute_url = page_url("project-detail", "project_id")


class DebtSettlement(models.Model):
    """A debt reduced without cash: the creditor takes assets in exchange (a debt-for-asset
    swap). Like an allocation it lowers the debt's outstanding amount, never below zero."""

    debt = models.ForeignKey("finance.Debt", on_delete=models.PROTECT, related_name="settlements")
    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.PROTECT, related_name="settlements"
    )
    amount = positive_money(_("amount"))
    settled_on = models.DateField(_("settled on"))
    settled_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-settled_on", "-pk"]
        verbose_name, verbose_name_plural = _("non-cash settlement"), _("non-cash settlements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_amount_gt_0"),
            models.UniqueConstraint(fields=["project"], name="settlement_one_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.debt_id} −{self.amount} (swap {self.project_id})"

    get_absolute_url = page_url("debt-detail", "debt_id")


class DeferredTerms(models.Model):
    """The terms of a sale paid by instalments (Order 32 art. 28): the interest agreed on the
    deferred part (not below the reference rate in force, recorded beside it), the security the
    seller accepted, and the interest it adds to the expected receipts. Setting a new plan
    cancels the old terms (kept, marked cancelled), like the plan's rows."""

    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.CASCADE, related_name="deferred_terms"
    )
    interest_rate = models.DecimalField(
        _("interest rate (% a year)"), max_digits=6, decimal_places=3
    )
    reference_rate = models.DecimalField(
        _("reference rate then (% a year)"), max_digits=5, decimal_places=2
    )
    security_kind = models.CharField(
        _("security"), max_length=12, choices=DeferredSecurityKind.choices
    )
    security_reference = models.CharField(_("security document"), max_length=200)
    interest_total = MoneyField(_("interest expected"), default=Decimal("0.00"))
    recorded_by = actor_field(null=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        ordering = ["project", "-recorded_at", "-pk"]
        verbose_name, verbose_name_plural = _("deferred payment terms"), _("deferred payment terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(interest_rate__gte=models.F("reference_rate")),
                name="deferred_interest_not_below_reference",
            ),
            models.CheckConstraint(
                condition=Q(security_kind__in=["guarantee", "pledge", "mortgage"])
                & ~Q(security_reference=""),
                name="deferred_terms_secured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.interest_rate} %, {self.security_kind}"

    get_absolute_url = page_url("instalment-plan", "project_id")
