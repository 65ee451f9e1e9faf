"""Bidders' deposits: held apart from the proceeds.

A deposit is the bidder's money held in trust while a sale runs. It is not a receipt and can
never be allocated to a debt. It leaves the held state exactly once: refunded to the bidder,
forfeited (the treasury keeps it: a receipt of kind "forfeited deposit" is created, which may be
allocated), or applied to the winner's price (a sale-price receipt of the project is created,
counting towards the deal). The database enforces the shape of each state.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field, optional_ref, positive_money
from panhuo.core.links import page_url
from panhuo.organisation import policy


class DepositStatus(models.TextChoices):
    HELD = "held", _("Held")
    REFUNDED = "refunded", _("Refunded")
    FORFEITED = "forfeited", _("Forfeited")
    APPLIED = "applied", _("Applied to the price")


class Deposit(models.Model):
    """A bidder's deposit for a project (and the listing round it was paid for)."""

    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.PROTECT, related_name="deposits"
    )
    round = optional_ref(
        "disposal.ListingRound", related_name="deposits", verbose_name=_("listing round")
    )
    bidder = models.CharField(_("bidder"), max_length=200)
    amount = positive_money(_("amount"))
    received_on = models.DateField(_("received on"))
    voucher = models.CharField(_("voucher number"), max_length=60)
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
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = policy.ScopedQuerySet.as_manager()
    view_scope = policy.ViewScope("deposit", "project__package__jurisdiction__path")

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DepositStatus]),
                name="deposit_status_valid",
            ),
            models.UniqueConstraint(fields=["voucher"], name="deposit_voucher_unique"),
            # Held ⇔ not closed; closed no earlier than received.
            models.CheckConstraint(
                condition=(Q(status="held") & Q(closed_on__isnull=True))
                | (
                    ~Q(status="held")
                    & Q(closed_on__isnull=False)
                    & Q(closed_on__gte=F("received_on"))
                ),
                name="deposit_closed_iff_not_held",
            ),
            # A receipt exactly for the forfeited and the applied.
            models.CheckConstraint(
                condition=(Q(status__in=["forfeited", "applied"]) & Q(receipt__isnull=False))
                | (Q(status__in=["held", "refunded"]) & Q(receipt__isnull=True)),
                name="deposit_receipt_iff_kept",
            ),
            models.CheckConstraint(condition=~Q(bidder=""), name="deposit_has_bidder"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} {self.bidder} ({self.amount})"

    get_absolute_url = page_url("deposit-detail")

    @property
    def jurisdiction(self):
        return self.project.package.jurisdiction
