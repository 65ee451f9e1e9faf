"""Sealed-bid lots: bids sealed when received, unreadable by anyone until the opening, opened
by two different officers after the opening time, the tie broken by the notice's rule.

- :func:`sealed_bid_place`: a registered bidder with a confirmed deposit submits one bid
  between the start and the end; it is sealed at once (``auctions.sealing``) and only its
  ciphertext, its digest (the bidder's receipt) and the server's time are stored. The audit
  entry names the digest, never the amount.
- :func:`sealed_read`: the amounts. Before the opening every caller (staff, administrators,
  the bidders, the API and the pages alike) is refused with the reason, and the attempt is
  written to the audit log.
- :func:`opening_confirm`: an office officer in the lot's place confirms the opening, after the
  opening time (and the close). The second confirmation, by a different officer, unwraps the
  lot's private key, opens every bid, appends them to the bid table in the order received,
  records the result (highest amount; a tie by the notice's rule: the earliest received, or a
  drawing of lots recorded in the audit log) and stores the released key so that anyone may
  check the ciphertexts against the published amounts.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from panhuo.auctions import bidding, sealing
from panhuo.auctions.bidding import locked_lot, lot_id_of, parse_amount
from panhuo.auctions.models import (
    Bid,
    BidKind,
    Lot,
    LotKind,
    LotRegistration,
    LotStatus,
    OpeningConfirmation,
    SealedBid,
    SealedKey,
    TieRule,
)
from panhuo.auctions.refusals import MESSAGES, Refused, _shown
from panhuo.auctions.selectors import lot_opened, pseudonyms
from panhuo.core.busy import retry_when_busy
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy


class SealedRefused(policy.NotPermitted):
    """A read of sealed amounts before the opening (403), with the reason."""

    def __init__(self, code: str, **params) -> None:
        shown = {k: _shown(v) for k, v in params.items()}
        super().__init__(str(MESSAGES[code][1]) % shown)
        self.reason = code


def key_for(lot: Lot) -> SealedKey:
    """Make the key pair of a new sealed-bid lot (inside its setup's transaction)."""
    public, wrapped = sealing.new_key_pair(settings.SEALED_BID_KEY, lot.pk)
    return SealedKey.objects.create(lot=lot, public_key=public, wrapped_private_key=wrapped)


def _sealed(lot: Lot) -> None:
    if lot.kind != LotKind.SEALED:
        raise Refused("not_sealed")


@retry_when_busy
def sealed_bid_place(*, actor, lot_id: Any, amount: Any) -> SealedBid:
    """Submit the caller's sealed bid on lot ``lot_id`` (once); returns the receipt."""
    pk = lot_id_of(lot_id)
    value = parse_amount(amount)
    bidder = bidding.verified_bidder(actor)
    with bidding.closing_past_end(pk), transaction.atomic():
        lot = locked_lot(pk)
        _sealed(lot)
        registration = bidding.ready_registration(lot, bidder)
        at = bidding.open_now(lot)
        if SealedBid.objects.filter(registration=registration).exists():
            raise Refused("already_sealed")
        if value < lot.start_price:
            raise Refused("sealed_too_low", minimum=lot.start_price)
        key = SealedKey.objects.get(lot=lot)
        ciphertext = sealing.seal(key.public_key, lot.pk, registration.pk, value)
        del value  # nothing below may keep or log the amount
        sealed = SealedBid(
            lot=lot, registration=registration, ciphertext=ciphertext,
            digest=sealing.digest(ciphertext), received_at=at,
        )  # fmt: skip
        sealed.save()
        audit_record(
            actor=actor, action="lot.sealed_bid", obj=lot,
            after={"registration": registration.pk, "digest": sealed.digest,
                   "received_at": at.isoformat()},
            jurisdiction_path=lot.jurisdiction.path,
        )  # fmt: skip
    return sealed


def own_receipt(registration: LotRegistration | None) -> SealedBid | None:
    """The caller's own sealed bid as received (time and digest; never the amount)."""
    if registration is None:
        return None
    return SealedBid.objects.filter(registration=registration).defer("ciphertext").first()


def refuse_read(*, actor, lot: Lot, via: str) -> None:
    """Record an attempt to read sealed amounts before the opening, then refuse it."""
    with transaction.atomic():
        audit_record(
            actor=actor if getattr(actor, "pk", None) else None,
            action="lot.sealed_read_refused", obj=lot,
            after={"via": via, "opens_at": lot.opens_at.isoformat() if lot.opens_at else None},
            jurisdiction_path=lot.jurisdiction.path,
        )  # fmt: skip
    raise SealedRefused("sealed_unreadable", opens=lot.opens_at)


def sealed_read(*, actor, lot: Lot, via: str = "service", names: bool = False) -> list[dict]:
    """The amounts of lot ``lot``'s sealed bids, once opened (order received, bidder, amount,
    time, digest); refused, and the attempt recorded, before."""
    _sealed(lot)
    if not lot_opened(lot):
        refuse_read(actor=actor, lot=lot, via=via)
    shown = pseudonyms(lot)
    digests = dict(lot.sealed_bids.values_list("registration_id", "digest"))
    rows = []
    for bid in lot.bids.filter(kind=BidKind.SEALED).select_related("registration__bidder"):
        rows.append({
            "seq": bid.seq,
            "bidder": bid.registration.bidder.name if names else shown[bid.registration_id],
            "amount": bid.amount,
            "placed_at": bid.placed_at,
            "digest": digests.get(bid.registration_id, ""),
            "winner": bid.registration_id == lot.leader_id,
        })  # fmt: skip
    return rows


def winner_of(opened: list[tuple[int, Decimal]], rule: str) -> tuple[int, list[int], bool]:
    """(winning registration, the tied registrations, drawn?) of bids (registration, amount)
    in the order received: the highest amount; a tie by ``rule``."""
    best = max(amount for _reg, amount in opened)
    tied = [reg for reg, amount in opened if amount == best]
    if len(tied) == 1 or rule == TieRule.EARLIEST:
        return tied[0], tied, False
    return secrets.SystemRandom().choice(tied), tied, True


@retry_when_busy
def opening_confirm(*, actor, lot_id: Any) -> Lot:
    """Confirm the opening of a sealed-bid lot as an officer; the second officer's
    confirmation opens the bids and records the result. Before the opening time (or while
    bidding runs) the attempt is recorded and refused."""
    from panhuo.auctions.services import lot_close_if_due

    pk = lot_id_of(lot_id)
    lot = Lot.objects.select_related("round__project__package__jurisdiction").filter(pk=pk).first()
    if lot is None:
        raise Refused("no_lot")
    policy.require(actor, "lot", "open", jurisdiction=lot.jurisdiction)
    _sealed(lot)
    lot_close_if_due(lot.pk, actor=actor)  # a lot past its end is closed first
    with transaction.atomic():
        lot = locked_lot(pk)
        key = SealedKey.objects.select_for_update().get(lot=lot)
        if key.opened:
            raise Refused("already_opened")
        at = bidding.now()  # the server's clock (tests replace it)
        early = lot.status in (LotStatus.SCHEDULED, LotStatus.OPEN) or at < lot.opens_at
        if not early:
            if OpeningConfirmation.objects.filter(lot=lot, officer=actor).exists():
                raise Refused("same_officer")
            OpeningConfirmation.objects.create(lot=lot, officer=actor, at=at)
            officers = list(lot.opening_confirmations.values_list("officer_id", flat=True))
            audit_record(
                actor=actor, action="lot.opening_confirm", obj=lot,
                after={"officers": officers, "at": at.isoformat()},
                jurisdiction_path=lot.jurisdiction.path,
            )  # fmt: skip
            if len(set(officers)) >= 2:
                _open(lot, key, at, actor, officers)
            return lot
        # Too early: the attempt is recorded, then refused.
        audit_record(
            actor=actor, action="lot.opening_refused", obj=lot,
            after={"at": at.isoformat(), "opens_at": lot.opens_at.isoformat(),
                   "status": lot.status},
            jurisdiction_path=lot.jurisdiction.path,
        )  # fmt: skip
    raise Refused("opening_early", opens=lot.opens_at)


def _open(lot: Lot, key: SealedKey, at, actor, officers: list[int]) -> None:
    """Release the key, open every bid, append them as bids and record the result."""
    private = sealing.unwrap(settings.SEALED_BID_KEY, lot.pk, key.public_key,
                             key.wrapped_private_key)  # fmt: skip
    received = list(lot.sealed_bids.order_by("received_at", "pk"))
    opened = [
        (s.registration_id, sealing.unseal(private, lot.pk, s.registration_id, s.ciphertext))
        for s in received
    ]
    SealedKey.objects.filter(pk=key.pk).update(released_private_key=private, released_at=at)
    path = lot.jurisdiction.path
    result: dict[str, Any] = {"officers": officers, "bids": [], "private_key": private.hex()}
    if opened:
        for sealed, (reg, amount) in zip(received, opened, strict=True):
            # Appended in the order received, each at the time it was received.
            lot.bid_count += 1
            Bid(lot=lot, registration_id=reg, seq=lot.bid_count, kind=BidKind.SEALED,
                amount=amount, maximum=amount, placed_at=sealed.received_at,
                end_at=lot.end_at).save()  # fmt: skip
            result["bids"].append([lot.bid_count, reg, str(amount),
                                   sealed.received_at.isoformat(), sealed.digest])  # fmt: skip
        winner, tied, drawn = winner_of(opened, lot.tie_rule)
        price = dict(opened)[winner]
        lot.price, lot.leader_id, lot.leader_max = price, winner, price
        lot.bidders = len(opened)
        lot.single_bidder = len(opened) == 1 and lot.reserve_met
        result.update(winner=winner, price=str(price), reserve_met=lot.reserve_met,
                      tie={"rule": lot.tie_rule, "tied": tied, "drawn": drawn})  # fmt: skip
        lot.version += 1
        lot.save(update_fields=["price", "leader", "leader_max", "bid_count", "bidders",
                                "single_bidder", "version"])  # fmt: skip
    audit_record(actor=actor, action="lot.open_sealed", obj=lot, after=result,
                 jurisdiction_path=path)  # fmt: skip
    if opened and not lot.reserve_met and lot.status == LotStatus.CLOSED:
        from panhuo.auctions.services import _step

        before = _step(lot, "fail")
        lot.save(update_fields=["status"])
        audit_record(actor=actor, action="lot.fail", obj=lot, before={"status": before},
                     after={"status": lot.status, "reserve_met": False},
                     jurisdiction_path=path)  # fmt: skip
