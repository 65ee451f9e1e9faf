"""What each channel records beyond the project itself: listing rounds (auction, exchange),
counterparty terms (negotiated transfer, transfer to a state-owned company, debt swap), tranches
(securitisation) and contracts with their renewals (lease-out, operating concession)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import (
    MoneyField,
    actor_field,
    non_negative_money,
    optional_ref,
    positive_money,
    rate_field,
)
from panhuo.core.links import page_of
from panhuo.organisation.models import Unit


class Art31Case(models.TextChoices):
    """The two cases in which Order 32 art. 31 allows a non-public (negotiated) transfer, each
    with the approval it names."""

    STATE_RESTRUCTURING = (
        "state_restructuring",
        _("Restructuring between state-owned enterprises (approved by the supervisor)"),
    )
    INTRA_GROUP = (
        "intra_group",
        _("Restructuring within one state-invested group (decided by the group enterprise)"),
    )


class ApprovalBody(models.TextChoices):
    SUPERVISOR = "supervisor", _("State-owned assets supervisor")
    ENTERPRISE = "enterprise", _("State-invested enterprise (group)")


class EvidenceKind(models.TextChoices):
    """What proves that an asset is worn out, lost or irrecoverable."""

    TECHNICAL_APPRAISAL = "technical_appraisal", _("Technical appraisal report")
    POLICE_REPORT = "police_report", _("Police report")
    INSURANCE_ASSESSMENT = "insurance_assessment", _("Insurance loss assessment")
    DISASTER_CERTIFICATE = "disaster_certificate", _("Disaster certificate")
    LIABILITY_RULING = "liability_ruling", _("Liability determination")
    COURT_RULING = "court_ruling", _("Court ruling")
    LIQUIDATION_CERTIFICATE = "liquidation", _("Bankruptcy or liquidation certificate")
    DEREGISTRATION = "deregistration", _("Deregistration certificate")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class ListingRound(models.Model):
    """One listing of an auction or exchange project: the first, or a relisting after a round
    that found no buyer, at a reserve that may only fall."""

    class Result(models.TextChoices):
        OPEN = "open", _("Open")
        NO_SALE = "no_sale", _("No sale")
        SOLD = "sold", _("Sold")

    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    platform = models.CharField(_("platform"), max_length=200, blank=True)
    listed_on = models.DateField(_("listed on"))
    reserve = positive_money(_("reserve price"))
    disclosure_ends = models.DateField(_("disclosure ends"), null=True, blank=True)
    #: Land-use rights: the day the sale's announcement was published, at least 20 days before
    #: the listing starts (MLR Order 39 art. 11, gate ``land_announcement_short``).
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    #: Conditions the listing sets on buyers (受让方资格条件), disclosed with it; for enterprise
    #: assets only where a law or rule requires them, named in ``conditions_basis`` (Order 32
    #: art. 51, gate ``buyer_conditions_not_allowed``).
    buyer_conditions = models.TextField(_("conditions on buyers"), max_length=2000, blank=True)
    conditions_basis = models.CharField(
        _("legal basis of the conditions"), max_length=300, blank=True
    )
    result = models.CharField(
        _("result"), max_length=8, choices=Result.choices, default=Result.OPEN
    )
    bidders = models.PositiveIntegerField(_("qualified bidders"), null=True, blank=True)
    deal_price = MoneyField(_("deal price"), null=True, blank=True)
    buyer = models.CharField(_("buyer"), max_length=200, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    recorded_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "number"]
        verbose_name, verbose_name_plural = _("listing round"), _("listing rounds")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="round_number_unique"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(result="open"), name="round_one_open"
            ),
            models.CheckConstraint(condition=Q(reserve__gt=0), name="round_reserve_gt_0"),
            models.CheckConstraint(
                condition=~Q(result="sold")
                | (Q(deal_price__gt=0) & Q(bidders__gte=1) & ~Q(buyer="")),
                name="round_sold_has_deal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number} ({self.result})"

    get_absolute_url = page_of("project")

    @property
    def single_bidder(self) -> bool:
        """Sold with exactly one qualified bidder: no competition, so the sale is flagged and
        counts as negotiated (State-Owned Assets Law art. 54)."""
        return self.result == self.Result.SOLD and self.bidders == 1


#: Which body's approval each art. 31 case needs.
ART31_APPROVER = {
    Art31Case.STATE_RESTRUCTURING: ApprovalBody.SUPERVISOR,
    Art31Case.INTRA_GROUP: ApprovalBody.ENTERPRISE,
}


#: The evidence each zero-price channel accepts.
EVIDENCE_FOR = {
    "scrap": frozenset({EvidenceKind.TECHNICAL_APPRAISAL}),
    "loss": frozenset(
        {
            EvidenceKind.POLICE_REPORT,
            EvidenceKind.INSURANCE_ASSESSMENT,
            EvidenceKind.DISASTER_CERTIFICATE,
            EvidenceKind.LIABILITY_RULING,
        }
    ),
    "write_off": frozenset(
        {
            EvidenceKind.COURT_RULING,
            EvidenceKind.LIQUIDATION_CERTIFICATE,
            EvidenceKind.DEREGISTRATION,
        }
    ),
}


class ChannelTerms(models.Model):
    """The counterparty of a negotiated transfer (state-owned only, with the written reason,
    the Order 32 art. 31 case and the approval it names), the recipient of a transfer to a
    state-owned company or of a free transfer (with its unified social credit code), the
    creditor's debt in a swap, or the evidence of a scrapping, loss or write-off."""

    project = models.OneToOneField(
        "disposal.DisposalProject", on_delete=models.CASCADE, related_name="terms"
    )
    counterparty_unit = optional_ref(Unit, related_name="+", verbose_name=_("counterparty unit"))
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty_soe = models.BooleanField(_("state-owned counterparty"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    debt = optional_ref("finance.Debt", related_name="swaps", verbose_name=_("debt"))
    counterparty_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )
    art31_case = models.CharField(
        _("Order 32 art. 31 case"), max_length=24, choices=Art31Case.choices, blank=True
    )
    approval_body = models.CharField(
        _("approved by"), max_length=12, choices=ApprovalBody.choices, blank=True
    )
    approval_ref = models.CharField(_("approval document number"), max_length=100, blank=True)
    approval_on = models.DateField(_("approval date"), null=True, blank=True)
    evidence_kind = models.CharField(
        _("evidence"), max_length=24, choices=EvidenceKind.choices, blank=True
    )
    evidence_ref = models.CharField(_("evidence document number"), max_length=100, blank=True)
    evidence_issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    evidence_on = models.DateField(_("evidence date"), null=True, blank=True)

    class Meta:
        ordering = ["project"]
        verbose_name, verbose_name_plural = _("channel terms"), _("channel terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(counterparty_unit__isnull=False)
                | ~Q(counterparty_name="")
                | Q(debt__isnull=False)
                | ~Q(evidence_kind=""),
                name="terms_name_a_counterparty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.counterparty}"

    get_absolute_url = page_of("project")

    @property
    def counterparty(self) -> str:
        if self.counterparty_unit_id:
            return str(self.counterparty_unit)
        if self.debt_id:
            return self.debt.creditor
        return self.counterparty_name


class Tranche(models.Model):
    """A tranche of a securitisation or REIT: its size and coupon. Its proceeds are the
    receipts matched to its expected receipt."""

    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.CASCADE, related_name="tranches"
    )
    name = models.CharField(_("name"), max_length=100)
    size = positive_money(_("size"))
    rate = rate_field(_("coupon (%)"))

    class Meta:
        ordering = ["project", "pk"]
        verbose_name, verbose_name_plural = _("tranche"), _("tranches")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="tranche_name_unique"),
            models.CheckConstraint(condition=Q(size__gt=0), name="tranche_size_gt_0"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="tranche_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.size} @ {self.rate} %"

    get_absolute_url = page_of("project")


MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


class Contract(models.Model):
    """A lease or an operating concession: the counterparty, the term, and the amount due each
    period (rent or concession fee), from which the schedule of expected receipts is made."""

    project = models.OneToOneField(
        "disposal.DisposalProject", on_delete=models.CASCADE, related_name="contract"
    )
    counterparty = models.CharField(_("tenant or concessionaire"), max_length=200)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    period_amount = positive_money(_("amount per period"))
    frequency = models.CharField(_("payment frequency"), max_length=12, choices=Frequency.choices)
    deposit = non_negative_money(_("deposit"), default=Decimal("0.00"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    #: The public tender (公开招租) notice the tenant was found by, when the rent requires one.
    tender_ref = models.CharField(_("public tender notice"), max_length=200, blank=True)

    class Meta:
        ordering = ["project"]
        verbose_name, verbose_name_plural = _("contract"), _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=F("term_start")), name="contract_term_positive"
            ),
            models.CheckConstraint(
                condition=Q(period_amount__gt=0) & Q(deposit__gte=0),
                name="contract_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counterparty} {self.term_start}–{self.term_end}"

    get_absolute_url = page_of("project")


class ContractRenewal(models.Model):
    """A renewal: the term extended from ``previous_end`` to ``new_end`` at ``period_amount``."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="renewals")
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    period_amount = positive_money(_("amount per period"))
    renewed_by = actor_field()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "at", "pk"]
        verbose_name, verbose_name_plural = _("contract renewal"), _("contract renewals")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_end__gt=F("previous_end")), name="renewal_extends_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.previous_end} → {self.new_end}"

    get_absolute_url = page_of("contract.project")
