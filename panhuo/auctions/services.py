"""Lots: set up by the office on a listing round, registered for by bidders (their deposit falls
due in finance's ledger), opened, closed at their end, awarded through disposal's own deal step.

Each write is one transaction with its audit entry; the lot's status moves only through
``models.TRANSITIONS`` (:func:`_step`). The disposal rules are disposal's: a lot is set up only on
the open round of a listed auction project, never below the round's reserve, and bidding opens
only once the disclosure period has run in full (the same gate as a deal,
``disposal.periods``), checked when the lot is set up and again when it opens. The award records
the deal with ``disposal.services.project_transition("conclude")`` (the buyer, the price, the
number of qualified bidders; one bidder is flagged there), which sets the expected receipts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.auctions.award_models import AwardSource
from panhuo.auctions.awards import move, queue_create, ranked
from panhuo.auctions.bidding import locked_lot, lot_id_of, now, registered_bidder
from panhuo.auctions.models import (
    TRANSITIONS,
    BidKind,
    Lot,
    LotKind,
    LotRegistration,
    LotStatus,
    TieRule,
)
from panhuo.auctions.refusals import Refused
from panhuo.auctions.terms import checked_terms, disclosure_gate, placed_terms
from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import ValidationError
from panhuo.disposal.deal_party import deal_party_set
from panhuo.disposal.models import ListingRound
from panhuo.disposal.services import project_transition
from panhuo.finance.deposits.parties import deposit_due
from panhuo.integrity.services import audit_insert, audit_record
from panhuo.organisation import policy


def _step(lot: Lot, name: str) -> str:
    """Move ``lot`` by transition ``name`` of the table, or refuse naming the state."""
    return move(lot, TRANSITIONS, name, _("A lot that is %(status)s cannot be %(step)s."))


@retry_when_busy
def lot_create(
    *, actor, round: ListingRound, start_price: Any, increment: Any, start_at: dt.datetime,
    end_at: dt.datetime, reserve: Any = None, reserve_public: bool = True,
    deposit_amount: Any = 0, window_minutes: int = 5, extension_minutes: int = 5,
    kind: str = LotKind.ENGLISH, opens_at: dt.datetime | None = None,
    tie_rule: str = TieRule.EARLIEST, price_step: Any = None, step_minutes: Any = None,
    floor_price: Any = None,
) -> Lot:  # fmt: skip
    """Set up the lot of ``round`` (the open round of a listed public-auction project) on the
    terms ``terms.checked_terms`` and ``terms.placed_terms`` allow. A sealed-bid lot gets its
    key pair (``auctions.sealed``)."""
    project = round.project
    policy.require(actor, "lot", "create", jurisdiction=project.jurisdiction)
    checked = checked_terms(
        kind=kind, start_price=start_price, increment=increment, start_at=start_at,
        end_at=end_at, reserve=reserve, reserve_public=reserve_public,
        deposit_amount=deposit_amount, window_minutes=window_minutes,
        extension_minutes=extension_minutes, opens_at=opens_at, tie_rule=tie_rule,
        price_step=price_step, step_minutes=step_minutes, floor_price=floor_price,
    )  # fmt: skip
    with transaction.atomic():
        project = project.locked()
        lot_round = ListingRound.objects.select_for_update(of=("self",)).get(pk=round.pk)
        if Lot.objects.filter(round=lot_round).exists():
            raise ValidationError({"round": [_("This round already has its lot.")]})
        placed = placed_terms(project, lot_round, checked)
        lot = Lot(round=lot_round, planned_end_at=placed["end_at"], created_by=actor, **placed)
        audit_insert(
            lot, actor=actor, action="lot.create", jurisdiction_path=project.jurisdiction.path
        )
        if lot.kind == LotKind.SEALED:
            from panhuo.auctions.sealed import key_for

            key_for(lot)
    return lot


@retry_when_busy
def lot_register(*, actor, lot_id: Any, accept_conditions: bool = False) -> LotRegistration:
    """Register the caller (a registered bidder) for the lot; its deposit falls due."""
    pk = lot_id_of(lot_id)
    bidder = registered_bidder(actor)
    with transaction.atomic():
        lot = locked_lot(pk)
        if lot.status not in (LotStatus.SCHEDULED, LotStatus.OPEN) or now() >= lot.end_at:
            raise Refused("registration_closed")
        if LotRegistration.objects.filter(lot=lot, bidder=bidder).exists():
            raise Refused("already_registered")
        conditions = lot.round.buyer_conditions
        if conditions and not accept_conditions:
            raise Refused("conditions")
        registration = LotRegistration(lot=lot, bidder=bidder, conditions=conditions)
        if lot.deposit_amount > 0:
            registration.deposit = deposit_due(
                actor=actor, project=lot.round.project, round=lot.round, party=bidder,
                amount=lot.deposit_amount,
            )  # fmt: skip
        audit_insert(
            registration, actor=actor, action="lot.register",
            jurisdiction_path=lot.jurisdiction.path,
        )  # fmt: skip
    return registration


def registration_set_priority(*, actor, registration: LotRegistration, holder: bool) -> None:
    """The office marks a registered bidder as holding (or not) a priority purchase right."""
    lot = registration.lot
    policy.require(actor, "lot", "create", jurisdiction=lot.jurisdiction)
    with transaction.atomic():
        locked = Lot.objects.select_for_update(of=("self",)).get(pk=lot.pk)
        if locked.status not in (LotStatus.SCHEDULED, LotStatus.OPEN):
            raise ValidationError({"holder": [_("Set the priority holders before the close.")]})
        before = registration.priority_holder
        LotRegistration.objects.filter(pk=registration.pk).update(priority_holder=holder)
        registration.priority_holder = holder
        audit_record(
            actor=actor, action="lot.priority_holder", obj=registration,
            before={"priority_holder": before}, after={"priority_holder": holder},
            jurisdiction_path=lot.jurisdiction.path,
        )  # fmt: skip


def lot_open(*, lot: Lot, at: dt.datetime, actor=None) -> Lot:
    """Open a scheduled lot whose time has come (inside the caller's locked transaction),
    once the disclosure gate allows it."""
    disclosure_gate(lot.round, timezone.localdate(at))
    before = _step(lot, "open")
    lot.version += 1
    lot.save(update_fields=["status", "version"])
    audit_record(
        actor=actor, action="lot.open", obj=lot, before={"status": before},
        after={"status": lot.status, "at": at.isoformat()},
        jurisdiction_path=lot.jurisdiction.path,
    )  # fmt: skip
    return lot


def _close(lot: Lot, at: dt.datetime, actor=None) -> Lot:
    if lot.kind == LotKind.SEALED:
        return _close_sealed(lot, at, actor)
    before = _step(lot, "close")
    bidders = lot.bids.exclude(kind=BidKind.MATCH).values("registration").distinct().count()
    lot.closed_at, lot.bidders = at, bidders
    # A Dutch lot always has one bidder (the first takes it): that is no lack of competition.
    lot.single_bidder = bidders == 1 and lot.reserve_met and lot.kind != LotKind.DUTCH
    lot.version += 1
    lot.save(update_fields=["status", "closed_at", "bidders", "single_bidder", "version"])
    result = {
        "status": lot.status, "price": str(lot.price) if lot.price else None,
        "reserve_met": lot.reserve_met, "bidders": bidders, "leader": lot.leader_id,
        **({"flag": "single_bidder"} if lot.single_bidder else {}),
    }  # fmt: skip
    path = lot.jurisdiction.path
    audit_record(actor=actor, action="lot.close", obj=lot, before={"status": before},
                 after=result, jurisdiction_path=path)  # fmt: skip
    if not lot.reserve_met:
        before = _step(lot, "fail")
        lot.save(update_fields=["status"])
        audit_record(
            actor=actor, action="lot.fail", obj=lot, before={"status": before},
            after={"status": lot.status, "reserve_met": False}, jurisdiction_path=path,
        )  # fmt: skip
    return lot


def _close_sealed(lot: Lot, at: dt.datetime, actor=None) -> Lot:
    """A sealed-bid lot closes with its bids still sealed (the opening decides); with none it
    fails."""
    before = _step(lot, "close")
    received = lot.sealed_bids.count()
    lot.closed_at, lot.bidders = at, received
    lot.version += 1
    lot.save(update_fields=["status", "closed_at", "bidders", "version"])
    path = lot.jurisdiction.path
    audit_record(actor=actor, action="lot.close", obj=lot, before={"status": before},
                 after={"status": lot.status, "sealed_bids": received},
                 jurisdiction_path=path)  # fmt: skip
    if not received:
        before = _step(lot, "fail")
        lot.save(update_fields=["status"])
        audit_record(actor=actor, action="lot.fail", obj=lot, before={"status": before},
                     after={"status": lot.status, "sealed_bids": 0},
                     jurisdiction_path=path)  # fmt: skip
    return lot


@retry_when_busy
def lot_close_if_due(lot_id: int, *, actor=None) -> Lot | None:
    """Close lot ``lot_id`` if its end has passed by the server's clock (under its lock, so a
    bid racing the end is either in before it or refused); None if it is not due."""
    with transaction.atomic():
        lot = (
            Lot.objects.select_for_update(of=("self",))
            .select_related("round__project__package__jurisdiction")
            .get(pk=lot_id)
        )
        at = now()
        if lot.status == LotStatus.SCHEDULED and at >= lot.end_at:
            # Never opened (no bid came, or the disclosure gate held it): it failed.
            _step(lot, "fail")
            lot.closed_at, lot.bidders = at, 0
            lot.save(update_fields=["status", "closed_at", "bidders"])
            audit_record(
                actor=actor, action="lot.fail", obj=lot, before={"status": "scheduled"},
                after={"status": lot.status}, jurisdiction_path=lot.jurisdiction.path,
            )  # fmt: skip
            return lot
        if lot.status != LotStatus.OPEN or at < lot.end_at:
            return None
        return _close(lot, at, actor)


def lot_closed_if_past(lot: Lot) -> Lot:
    """``lot`` as it stands, closed first if its end has passed by the server's clock and no
    one has closed it yet: whoever views a lot past its end sees it closed, not open until the
    worker's next run. The close is the worker's own step (``lot_close_if_due``, its own
    transaction, the system's act in the audit log)."""
    if lot.status not in (LotStatus.SCHEDULED, LotStatus.OPEN) or now() < lot.end_at:
        return lot
    closed = lot_close_if_due(lot.pk)
    if closed is not None:
        return closed
    return Lot.objects.select_related("round__project__package__jurisdiction").get(pk=lot.pk)


def close_due(*, actor=None) -> list[Lot]:
    """Close every lot whose end has passed (the worker's and ``panhuo auctions close-due``'s
    step); each in its own transaction."""
    due = Lot.objects.filter(
        status__in=[LotStatus.OPEN, LotStatus.SCHEDULED], end_at__lte=now()
    ).values_list("pk", flat=True)
    return [lot for lot in (lot_close_if_due(pk, actor=actor) for pk in list(due)) if lot]


@retry_when_busy
def lot_award(
    *, actor, lot: Lot, comment: str = "", queue=None, source: str = AwardSource.AUCTION
) -> Lot:
    """Award a closed lot whose reserve was met to its leader: the deal is recorded on the
    project by disposal's own step (buyer, price, qualified bidders, the day of the close).
    ``queue`` (registration id, price) is the ranked result when it is not the lot's own bids
    (an outside exchange's, ``auctions.exchange``)."""
    policy.require(actor, "lot", "award", jurisdiction=lot.jurisdiction)
    with transaction.atomic():
        lot = (
            Lot.objects.select_for_update(of=("self",))
            .select_related("round__project__package__jurisdiction", "leader__bidder")
            .get(pk=lot.pk)
        )
        if lot.status == LotStatus.CLOSED and (lot.leader_id is None or not lot.reserve_met):
            raise ValidationError({"status": [_("The reserve was not met: there is no sale.")]})
        before = _step(lot, "award")
        on = timezone.localdate(lot.closed_at)
        if on < timezone.localdate() and not (comment or "").strip():
            # The deal's day is the close's, set by the auction, not typed: an award on a
            # later day (a sealed lot opened the next morning) says so rather than being
            # refused as a step recorded late with no reason.
            comment = _("The deal's day is the day the lot closed, %(closed)s.") % {
                "closed": on.isoformat()
            }
        project = project_transition(
            actor=actor, project=lot.round.project, transition="conclude", comment=comment,
            deal_price=lot.price, buyer=lot.leader.bidder.name, bidders=lot.bidders or 1,
            concluded_on=on,
        )  # fmt: skip
        # The buyer is the registered bidder; the queue's first has until the deal's payment
        # day to sign and pay (auctions.awards).
        project = deal_party_set(actor=actor, project=project, party=lot.leader.bidder)
        queue_create(actor=actor, lot=lot, queue=ranked(lot) if queue is None else queue,
                     on=timezone.localdate(), due_on=project.due_on or timezone.localdate(),
                     source=source)  # fmt: skip
        lot.version += 1
        lot.save(update_fields=["status", "version"])
        audit_record(
            actor=actor, action="lot.award", obj=lot, before={"status": before},
            after={"status": lot.status, "price": str(lot.price), "leader": lot.leader_id,
                   "buyer": lot.leader.bidder.name,
                   **({"flag": "single_bidder"} if lot.single_bidder else {})},
            jurisdiction_path=lot.jurisdiction.path,
        )  # fmt: skip
    return lot
