"""Reads of lots: the office's scoped list, a lot as a bidder or the public sees it (the price,
the end by the server's clock, the extension, the status, whether the reserve is met, never a
hidden reserve or anyone's maximum), a bidder's own bids, and the bid history published with the
result, bidders pseudonymised ("Bidder 1, 2, …" in the order they first bid)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from panhuo.auctions import bidding
from panhuo.auctions.bidding import may_bid
from panhuo.auctions.models import Bid, Lot, LotKind, LotRegistration, LotStatus, SealedKey
from panhuo.bidders.selectors import bidder_for
from panhuo.core.querying import id_or_missing, narrowed, ordered

LOT_ORDERINGS = {
    "start_at": "start_at",
    "end_at": "end_at",
    "project": "round__project__code",
    "status": "status",
    "price": "price",
    "bids": "bid_count",
}
#: States whose bid history is published (the result is known).
RESULT_STATES = frozenset({LotStatus.AWARDED, LotStatus.FAILED})

_RELATED = ("round__project__package__jurisdiction",)


def lots_for(user) -> QuerySet[Lot]:
    """The lots ``user`` may read: staff by their scope; a signed-in bidder every lot (the
    notices are public)."""
    if bidder_for(user) is not None:
        return Lot.objects.all().select_related(*_RELATED)
    return Lot.objects.visible_to(user).select_related(*_RELATED)


def get_lot_for(user, pk) -> Lot:
    return lots_for(user).get(pk=id_or_missing(pk, Lot))


def lot_list(
    user, *, q: str = "", status: str = "", jurisdiction=None, ordering: str = "-start_at"
) -> QuerySet[Lot]:
    qs = narrowed(
        lots_for(user),
        q=q,
        search=("round__project__code", "round__project__package__name"),
        status=status,
    )
    if jurisdiction is not None:
        qs = qs.filter(round__project__package__jurisdiction__path__startswith=jurisdiction.path)
    return ordered(qs, ordering, LOT_ORDERINGS, "start_at", tiebreak="-pk")


def lot_for_round(round) -> Lot | None:
    """The lot a listing round is offered as, if any (for the portal's notices)."""
    return Lot.objects.filter(round=round).first()


def public_lot_state(lot: Lot) -> dict[str, Any]:
    """What anyone may know of a lot now: terms, price, the end by the server's clock (and how
    often a late bid extended it), status, and whether the reserve is met (the reserve itself
    only when public). The time is the auction's one clock (``bidding.now``), the same the bids
    and the close are judged by."""
    now = bidding.now()
    return {
        "id": lot.pk,
        "project": lot.round.project.code,
        "round": lot.round.number,
        "kind": lot.kind,
        "status": lot.status,
        # The label from the choices' enum: ``get_status_display`` rebuilt a hashable copy of
        # the choices on every call (4 % of a bid request's CPU).
        "status_label": str(LotStatus(lot.status).label),
        "start_price": lot.start_price,
        "increment": lot.increment,
        "price": lot.price,
        "minimum_bid": lot.minimum_bid,
        "reserve": lot.reserve if lot.reserve_public else None,
        "reserve_met": lot.reserve_met,
        "deposit": lot.deposit_amount,
        "start_at": lot.start_at,
        "planned_end_at": lot.planned_end_at,
        "end_at": lot.end_at,
        "extensions": lot.extensions,
        "window_minutes": lot.window_minutes,
        "extension_minutes": lot.extension_minutes,
        "bids": lot.bid_count,
        "server_time": now,
        "accepting_bids": lot.status in (LotStatus.SCHEDULED, LotStatus.OPEN)
        and lot.start_at <= now < lot.end_at,
        "single_bidder": lot.single_bidder,
        "opens_at": lot.opens_at,
        "tie_rule": lot.tie_rule,
        "opened": lot.kind == LotKind.SEALED and lot_opened(lot),
        **dutch_state(lot, now),
    }


def dutch_state(lot: Lot, now) -> dict[str, Any]:
    """A Dutch lot's terms and, until someone takes it, its falling price by the server's
    clock and when it next falls."""
    if lot.kind != LotKind.DUTCH:
        return {"floor_price": None, "price_step": None, "step_minutes": None,
                "next_drop_at": None}  # fmt: skip
    from panhuo.auctions.descending import current_price, next_drop

    running = lot.price is None and lot.status in (LotStatus.SCHEDULED, LotStatus.OPEN)
    return {
        "floor_price": lot.floor_price,
        "price_step": lot.price_step,
        "step_minutes": lot.step_minutes,
        "next_drop_at": next_drop(lot, now) if running and now < lot.end_at else None,
        **({"price": current_price(lot, now), "minimum_bid": current_price(lot, now)}
           if running else {}),
    }  # fmt: skip


def lot_opened(lot: Lot) -> bool:
    """Whether a sealed-bid lot's bids have been opened."""
    return SealedKey.objects.filter(lot=lot, released_at__isnull=False).exists()


def registration_of(user, lot: Lot) -> LotRegistration | None:
    bidder = bidder_for(user)
    if bidder is None:
        return None
    return (
        LotRegistration.objects.select_related("deposit", "bidder")
        .filter(lot=lot, bidder=bidder)
        .first()
    )


def bidding_blocker(registration: LotRegistration | None, lot: Lot) -> str:
    return may_bid(registration, lot) if registration is not None else "not_registered"


def own_bids(registration: LotRegistration | None) -> QuerySet[Bid]:
    if registration is None:
        return Bid.objects.none()
    return registration.bids.order_by("-seq")


def pseudonyms(lot: Lot) -> dict[int, str]:
    """Registration id → "Bidder n", numbered in the order they first bid."""
    names: dict[int, str] = {}
    for reg in lot.bids.order_by("seq").values_list("registration_id", flat=True):
        if reg not in names:
            names[reg] = _("Bidder %(n)s") % {"n": len(names) + 1}
    return names


def public_history(lot: Lot) -> list[dict[str, Any]]:
    """The bid history published with the result: each bid's order, pseudonymised bidder,
    amount, kind and time (never a maximum). Empty until the result."""
    if lot.status not in RESULT_STATES:
        return []
    names = pseudonyms(lot)
    return [
        {
            "seq": b.seq,
            "bidder": names[b.registration_id],
            "amount": b.amount,
            "kind": b.kind,
            "placed_at": b.placed_at,
        }
        for b in lot.bids.order_by("seq")
    ]
