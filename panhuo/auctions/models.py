"""Auctions's tables: a lot per listing round, the bidders registered for it, and its bids.

A :class:`Lot` is what a disposal project's listing round (``disposal.ListingRound``, auction
channel) offers at auction: its terms (starting price, increment, reserve, deposit, times, the
soft close) and where the bidding stands (price, leader, end). Its status moves only through
:data:`TRANSITIONS` (``auctions.services``). A :class:`Bid` is appended, never changed: the
database refuses an UPDATE (a trigger, migration 0002) and the model and its queryset refuse
updates and deletes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import (
    MoneyField,
    actor_field,
    non_negative_money,
    optional_ref,
    positive_money,
)
from panhuo.core.links import page_of, page_url
from panhuo.organisation import policy


class LotKind(models.TextChoices):
    ENGLISH = "english", _("English (ascending, proxy bids, soft close)")
    SEALED = "sealed", _("Sealed bid")
    DUTCH = "dutch", _("Dutch (descending)")


#: The kinds a lot may be set up as.
KINDS_OFFERED = frozenset({LotKind.ENGLISH, LotKind.SEALED, LotKind.DUTCH})


class TieRule(models.TextChoices):
    """How the notice breaks a tie between equal sealed bids."""

    EARLIEST = "earliest", _("The earliest bid received wins")
    DRAWING = "drawing", _("Drawing lots among the tied bidders")


class LotStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open for bids")
    CLOSED = "closed", _("Closed (result pending)")
    AWARDED = "awarded", _("Awarded")
    FAILED = "failed", _("Failed (no sale)")
    CANCELLED = "cancelled", _("Cancelled before bidding")


S = LotStatus

#: The lot state machine: transition → (sources, target). The services take these steps only.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({S.SCHEDULED}), S.OPEN),
    "close": (frozenset({S.OPEN}), S.CLOSED),
    "award": (frozenset({S.CLOSED}), S.AWARDED),
    "fail": (frozenset({S.CLOSED, S.SCHEDULED}), S.FAILED),
    # Every bidder in the award queue defaulted (auctions.awards): no sale after all.
    "lapse": (frozenset({S.AWARDED}), S.FAILED),
    # The office withdraws a lot before bidding opens (auctions.setup.lot_cancel).
    "cancel": (frozenset({S.SCHEDULED}), S.CANCELLED),
}

DEFAULT_WINDOW_MINUTES = 5
DEFAULT_EXTENSION_MINUTES = 5


class Lot(policy.Scoped):
    """One listing round offered at auction, and where its bidding stands."""

    round = models.OneToOneField(
        "disposal.ListingRound", on_delete=models.PROTECT, related_name="lot",
        verbose_name=_("listing round"),
    )  # fmt: skip
    kind = models.CharField(
        _("kind"), max_length=8, choices=LotKind.choices, default=LotKind.ENGLISH
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LotStatus.choices, default=LotStatus.SCHEDULED
    )
    start_price = positive_money(_("starting price"))
    increment = positive_money(_("increment"))
    reserve = positive_money(_("reserve price"))
    reserve_public = models.BooleanField(_("reserve shown to bidders"), default=True)
    deposit_amount = non_negative_money(_("deposit"), default=Decimal("0.00"))
    start_at = models.DateTimeField(_("bidding opens"))
    #: The end as set up, and the end now (moved later by each soft-close extension).
    planned_end_at = models.DateTimeField(_("bidding ends (as set up)"))
    end_at = models.DateTimeField(_("bidding ends"))
    window_minutes = models.PositiveSmallIntegerField(
        _("soft-close window (minutes)"), default=DEFAULT_WINDOW_MINUTES
    )
    extension_minutes = models.PositiveSmallIntegerField(
        _("extension (minutes)"), default=DEFAULT_EXTENSION_MINUTES
    )
    #: A sealed-bid lot: when the bids may be opened (at or after the end), and the notice's
    #: rule for a tie.
    opens_at = models.DateTimeField(_("bids opened at the earliest"), null=True, blank=True)
    tie_rule = models.CharField(
        _("tie rule"), max_length=8, choices=TieRule.choices, default=TieRule.EARLIEST
    )
    #: A Dutch lot: the price falls by ``price_step`` every ``step_minutes`` from the starting
    #: price to ``floor_price`` (``auctions.dutch``); the first bidder takes it.
    price_step = MoneyField(_("price step"), null=True, blank=True)
    step_minutes = models.PositiveSmallIntegerField(_("step interval (minutes)"), null=True,
                                                    blank=True)  # fmt: skip
    floor_price = MoneyField(_("floor price"), null=True, blank=True)
    price = MoneyField(_("current price"), null=True, blank=True)
    leader = models.ForeignKey(
        "auctions.LotRegistration", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("leading bidder"),
    )  # fmt: skip
    #: The leader's maximum (their proxy bid): never shown to anyone but them.
    leader_max = MoneyField(_("leader's maximum"), null=True, blank=True)
    #: Bid rows appended so far (the next row's ``seq``).
    bid_count = models.PositiveIntegerField(default=0)
    extensions = models.PositiveIntegerField(_("extensions"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    #: Qualified bidders (those who placed a bid) when it closed.
    bidders = models.PositiveIntegerField(_("bidders"), null=True, blank=True)
    single_bidder = models.BooleanField(_("one qualified bidder"), default=False)
    created_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    view_scope = policy.ViewScope(
        "lot", "round__project__package__jurisdiction__path",
        unit="round__project__package__items__asset__unit", distinct=True,
    )  # fmt: skip

    class Meta:
        ordering = ["-start_at", "-pk"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in LotStatus]), name="lot_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in LotKind]), name="lot_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_price__gt=0)
                & Q(increment__gt=0)
                & Q(reserve__gt=0)
                & Q(deposit_amount__gte=0),
                name="lot_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_at__gt=F("start_at")) & Q(end_at__gte=F("planned_end_at")),
                name="lot_times_in_order",
            ),
            models.CheckConstraint(
                condition=Q(window_minutes__gte=0) & Q(extension_minutes__gte=0),
                name="lot_soft_close_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LotKind.DUTCH)
                | (
                    Q(price_step__gt=0)
                    & Q(step_minutes__gt=0)
                    & Q(floor_price__gt=0)
                    & Q(floor_price__lte=F("start_price"))
                ),
                name="lot_dutch_terms_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=LotKind.SEALED)
                | (Q(opens_at__isnull=False) & Q(opens_at__gte=F("planned_end_at"))),
                name="lot_sealed_opens_after_end",
            ),
            models.CheckConstraint(
                condition=(Q(price__isnull=True) & Q(leader__isnull=True))
                | (
                    (Q(price__gte=F("start_price")) | Q(kind="dutch", price__gte=F("floor_price")))
                    & Q(leader__isnull=False)
                    & Q(leader_max__gte=F("price"))
                ),
                name="lot_price_has_leader",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Lot %(code)s round %(n)s") % {"code": self.code, "n": self.round.number})

    get_absolute_url = page_url("lot-detail")

    @property
    def code(self) -> str:
        return self.round.project.code

    @property
    def project(self):
        return self.round.project

    @property
    def jurisdiction(self):
        return self.round.project.package.jurisdiction

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.window_minutes)

    @property
    def extension(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.extension_minutes)

    @property
    def step(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.step_minutes or 0)

    @property
    def reserve_met(self) -> bool:
        return self.price is not None and self.price >= self.reserve

    @property
    def minimum_bid(self) -> Decimal:
        return self.start_price if self.price is None else self.price + self.increment

    def accepting_bids(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == LotStatus.OPEN and self.start_at <= now < self.end_at


class LotRegistration(models.Model):
    """A bidder registered for a lot: they confirmed the notice's conditions on buyers, and
    their deposit (finance's deposit ledger) is due, paid or confirmed."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="registrations")
    bidder = models.ForeignKey(
        "bidders.Bidder", on_delete=models.PROTECT, related_name="lot_registrations",
        verbose_name=_("bidder"),
    )  # fmt: skip
    #: The conditions on buyers the bidder confirmed meeting (the round's, as they stood).
    conditions = models.TextField(_("conditions on buyers confirmed"), blank=True)
    deposit = optional_ref(
        "finance.Deposit", related_name="registration", verbose_name=_("deposit"),
        one_to_one=True,
    )  # fmt: skip
    #: Holds a priority purchase right (优先购买权): may match the top bid after the close.
    priority_holder = models.BooleanField(_("priority purchase right"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot", "created_at", "pk"]
        verbose_name = _("lot registration")
        verbose_name_plural = _("lot registrations")
        constraints = [
            models.UniqueConstraint(fields=["lot", "bidder"], name="lot_registration_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.lot} / {self.bidder}"

    get_absolute_url = page_of("lot")


class BidKind(models.TextChoices):
    BID = "bid", _("Bid")
    PROXY = "proxy", _("Proxy bid (placed for the bidder)")
    MATCH = "match", _("Priority right: matched the top bid")
    SEALED = "sealed", _("Sealed bid (as opened)")


class BidQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Bids are append-only: they are never updated.")

    def delete(self):
        raise TypeError("Bids are append-only: they are never deleted.")


class AppendOnly(models.Model):
    """A row that is inserted once and never updated or deleted (bids, sealed bids)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only: never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only: never deleted.")


class Bid(AppendOnly):
    """One bid row, appended under the lot's lock: never updated or deleted."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    registration = models.ForeignKey(LotRegistration, on_delete=models.PROTECT, related_name="bids")
    #: Order on the lot (1, 2, …), given under the lot's row lock: the database's order.
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=6, choices=BidKind.choices, default=BidKind.BID)
    amount = positive_money(_("amount"))
    #: The bidder's maximum (proxy bid) when the row was placed: theirs alone to see.
    maximum = positive_money(_("maximum"))
    #: The server's time (never the client's).
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    #: The lot's end after this bid (later than before when the bid extended it).
    end_at = models.DateTimeField(_("bidding ends"))

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["lot", "seq"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(fields=["lot", "seq"], name="bid_seq_unique"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(maximum__gte=F("amount")), name="bid_amounts"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in BidKind]), name="bid_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} #{self.seq} {self.amount}"

    get_absolute_url = page_of("lot")


class SealedKey(models.Model):
    """A sealed-bid lot's key pair (X25519). The public key seals the bids; the private key is
    kept wrapped (AES-GCM under a key derived from the server's sealing secret, never in the
    database) and is written here in clear only by the opening, so that anyone may check the
    opened amounts against the ciphertexts afterwards (``auctions.sealing``)."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="sealed_key")
    public_key = models.BinaryField(max_length=32)
    wrapped_private_key = models.BinaryField()
    #: The private key, released at the opening (empty before).
    released_private_key = models.BinaryField(null=True, blank=True)
    released_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sealing key")
        verbose_name_plural = _("sealing keys")

    def __str__(self) -> str:
        return f"{self.lot_id}"

    @property
    def opened(self) -> bool:
        return self.released_at is not None


class SealedBid(AppendOnly):
    """A sealed bid as received: the ciphertext only (the amount, padded, sealed with the lot's
    public key and bound to the lot and the registration), its digest (the bidder's receipt)
    and the server's time. Appended, never changed (the trigger of migration 0003); one per
    registration."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="sealed_bids")
    registration = models.OneToOneField(
        LotRegistration, on_delete=models.PROTECT, related_name="sealed_bid"
    )
    ciphertext = models.BinaryField()
    digest = models.CharField(_("receipt (SHA-256 of the sealed bid)"), max_length=64)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["lot", "received_at", "pk"]
        verbose_name = _("sealed bid")
        verbose_name_plural = _("sealed bids")

    def __str__(self) -> str:
        return f"{self.lot_id} {self.digest[:12]}"

    get_absolute_url = page_of("lot")


class OpeningConfirmation(models.Model):
    """An officer's confirmation that a sealed-bid lot may be opened: the second, by a
    different officer, opens it."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="opening_confirmations")
    officer = actor_field()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lot", "at", "pk"]
        verbose_name = _("opening confirmation")
        verbose_name_plural = _("opening confirmations")
        constraints = [
            models.UniqueConstraint(fields=["lot", "officer"], name="opening_one_per_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.officer_id}"


from panhuo.auctions.award_models import Award, AwardStatus  # noqa: E402, F401
