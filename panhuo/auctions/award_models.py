"""The award queue of a lot (issue 16): after the close the ranked result forms a queue; the
first is offered the lot and has the payment term (working days) to sign and pay; a default
moves the offer to the next. Its states move only through :data:`AWARD_TRANSITIONS`
(``auctions.awards``); at most one award of a lot is active (offered or signed), which the
database enforces."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field, positive_money
from panhuo.core.links import page_of


class AwardStatus(models.TextChoices):
    QUEUED = "queued", _("In the queue")
    OFFERED = "offered", _("Offered (to sign and pay)")
    SIGNED = "signed", _("Signed")
    DEFAULTED = "defaulted", _("Defaulted")
    RELEASED = "released", _("Released (the lot went to another)")


A = AwardStatus

#: The award state machine: transition → (sources, target).
AWARD_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "offer": (frozenset({A.QUEUED}), A.OFFERED),
    "sign": (frozenset({A.OFFERED}), A.SIGNED),
    "default": (frozenset({A.OFFERED}), A.DEFAULTED),
    "release": (frozenset({A.QUEUED}), A.RELEASED),
}
ACTIVE = (A.OFFERED, A.SIGNED)


class AwardSource(models.TextChoices):
    AUCTION = "auction", _("Panhuo's own auction")
    EXCHANGE = "exchange", _("Outside exchange's result")


class Award(models.Model):
    """One place in a lot's award queue: a registered bidder, their rank and price."""

    lot = models.ForeignKey("auctions.Lot", on_delete=models.PROTECT, related_name="awards")
    registration = models.ForeignKey(
        "auctions.LotRegistration", on_delete=models.PROTECT, related_name="awards",
        verbose_name=_("bidder"),
    )  # fmt: skip
    rank = models.PositiveSmallIntegerField(_("rank"))
    price = positive_money(_("price"))
    status = models.CharField(
        _("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.QUEUED
    )
    source = models.CharField(
        _("source"), max_length=8, choices=AwardSource.choices, default=AwardSource.AUCTION
    )
    offered_on = models.DateField(_("offered on"), null=True, blank=True)
    #: The last day to sign and pay (the payment term, in working days, from the offer).
    due_on = models.DateField(_("sign and pay by"), null=True, blank=True)
    contract_no = models.CharField(_("contract number"), max_length=60, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = actor_field(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot", "rank"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(fields=["lot", "rank"], name="award_rank_unique"),
            models.UniqueConstraint(fields=["lot", "registration"], name="award_bidder_once"),
            models.UniqueConstraint(
                fields=["lot"],
                condition=Q(status__in=[s.value for s in ACTIVE]),
                name="award_one_active_per_lot",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AwardStatus]), name="award_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="queued") | Q(status="released") | Q(due_on__isnull=False),
                name="award_offered_has_due",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | (Q(signed_on__isnull=False) & ~Q(contract_no="")),
                name="award_signed_has_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} #{self.rank} {self.get_status_display()}"

    get_absolute_url = page_of("lot")
