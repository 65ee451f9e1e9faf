"""Bidders' deposits: held apart from the proceeds.

A deposit is the bidder's money held in trust while a sale runs. It is not a receipt and can
never be allocated to a debt. A registered bidder's deposit (``party``, issue 16) starts due when
they register for a lot, is declared paid by them with the voucher of their transfer, and is
held once finance confirms the money arrived; one that staff record directly (a bidder named in
free text, as before) starts held. It leaves the held state exactly once: refunded to the bidder,
forfeited (the treasury keeps it: a receipt of kind "forfeited deposit" is created, which may be
allocated), or applied to the winner's price (a sale-price receipt of the project is created,
counting towards the deal). The database enforces the shape of each state.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import valid_choice
from panhuo.core.fields import actor_field, optional_ref, positive_money, version_field
from panhuo.core.links import page_url
from panhuo.organisation import policy


class DepositStatus(models.TextChoices):
    DUE = "due", _("Due")
    PAID = "paid", _("Paid (awaiting confirmation)")
    HELD = "held", _("Held (confirmed)")
    REFUNDED = "refunded", _("Refunded")
    FORFEITED = "forfeited", _("Forfeited")
    APPLIED = "applied", _("Applied to the price")


#: The states before the deposit is closed (refunded, forfeited or applied).
OPEN_STATES = ["due", "paid", "held"]


class Deposit(policy.Scoped):
    """A bidder's deposit for a project (and the listing round it was paid for)."""

    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.PROTECT, related_name="deposits"
    )
    round = optional_ref(
        "disposal.ListingRound", related_name="deposits", verbose_name=_("listing round")
    )
    #: The registered bidder (``bidders.Bidder``) whose deposit it is; ``bidder`` then repeats
    #: their name. Deposits recorded before registration name the bidder in free text only.
    party = optional_ref(
        "bidders.Bidder", related_name="deposits", verbose_name=_("registered bidder")
    )
    bidder = models.CharField(_("bidder"), max_length=200)
    amount = positive_money(_("amount"))
    #: The day the money came in (declared by the bidder, then confirmed); empty while due.
    received_on = models.DateField(_("received on"), null=True, blank=True)
    voucher = models.CharField(_("voucher number"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DepositStatus.choices, default=DepositStatus.HELD
    )
    #: The day it was refunded, forfeited or applied (empty while held).
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: The receipt a forfeit or an application to the price created.
    receipt = optional_ref(
        "finance.Receipt", related_name="deposit", verbose_name=_("receipt"), one_to_one=True
    )
    recorded_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)
    version = version_field()

    view_scope = policy.ViewScope("deposit", "project__package__jurisdiction__path")

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name, verbose_name_plural = _("deposit"), _("deposits")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_gt_0"),
            valid_choice("status", DepositStatus, name="deposit_status_valid"),
            models.UniqueConstraint(
                fields=["voucher"], condition=~Q(voucher=""), name="deposit_voucher_unique"
            ),
            # Due, paid or held ⇔ not closed; closed no earlier than received.
            models.CheckConstraint(
                condition=(Q(status__in=OPEN_STATES) & Q(closed_on__isnull=True))
                | (
                    ~Q(status__in=OPEN_STATES)
                    & Q(closed_on__isnull=False)
                    & Q(closed_on__gte=F("received_on"))
                ),
                name="deposit_closed_iff_not_held",
            ),
            # Past "due" the money came in: its voucher and day are known.
            models.CheckConstraint(
                condition=Q(status="due") | (~Q(voucher="") & Q(received_on__isnull=False)),
                name="deposit_paid_has_voucher",
            ),
            # A receipt exactly for the forfeited and the applied.
            models.CheckConstraint(
                condition=(Q(status__in=["forfeited", "applied"]) & Q(receipt__isnull=False))
                | (Q(status__in=[*OPEN_STATES, "refunded"]) & Q(receipt__isnull=True)),
                name="deposit_receipt_iff_kept",
            ),
            models.CheckConstraint(condition=~Q(bidder=""), name="deposit_has_bidder"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher or '—'} {self.bidder} ({self.amount})"

    get_absolute_url = page_url("deposit-detail")

    @property
    def jurisdiction(self):
        return self.project.package.jurisdiction
