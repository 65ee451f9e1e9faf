"""Placing a bid: checked, ordered and written under the lot's row lock.

Every bid on a lot takes the lot's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
writes one at a time anyway) and reads the price, the leader and the end under it, so bids
arriving at the same moment are put in order by the database: none is lost and none is accepted
against a price that has moved. The time is the server's, read under the lock, so a bid racing
the end is either before it (and may extend it) or refused as after the close; the closing task
takes the same lock. The rules themselves are ``engine.place``.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.auctions import engine
from panhuo.auctions.models import Bid, BidKind, Lot, LotKind, LotRegistration, LotStatus
from panhuo.auctions.refusals import PastEnd, Refused
from panhuo.bidders.selectors import bidder_for, is_verified_bidder
from panhuo.core.bulk import insert_sql, update_sql
from panhuo.core.busy import retry_when_busy
from panhuo.core.joined import JoinedRead
from panhuo.finance.deposits.models import DepositStatus
from panhuo.integrity.services import audit_record, head_join

CENT = Decimal("0.01")


def now():
    """The server's clock (the one clock of the auction; tests replace it)."""
    return timezone.now()


def parse_amount(value: Any) -> Decimal:
    """A bid's amount: a number of yuan above zero with at most two decimals."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise Refused("amount") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise Refused("amount")
    if amount >= Decimal("1e17"):
        raise Refused("amount")
    return amount.quantize(CENT)


def lot_id_of(value: Any) -> int:
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        raise Refused("no_lot") from None
    if not 0 < pk < 2**63:
        raise Refused("no_lot")
    return pk


def locked_lot(pk: int) -> Lot:
    """Lot ``pk`` under its row lock (inside the caller's transaction), or the refusal."""
    lot = (
        Lot.objects.select_for_update(of=("self",))
        .select_related("round__project__package__jurisdiction")
        .filter(pk=pk)
        .first()
    )
    if lot is None:
        raise Refused("no_lot")
    return lot


def book_of(lot: Lot) -> engine.Book:
    return engine.Book(
        start_price=lot.start_price, increment=lot.increment, reserve=lot.reserve,
        end_at=lot.end_at, window=lot.window, extension=lot.extension, price=lot.price,
        leader=lot.leader_id, leader_max=lot.leader_max,
    )  # fmt: skip


def may_bid(registration: LotRegistration, lot: Lot) -> str:
    """The reason a registered bidder may not bid yet ("" when they may)."""
    if lot.deposit_amount > 0:
        d = registration.deposit
        if d is None or d.status != DepositStatus.HELD or d.amount < lot.deposit_amount:
            return "no_deposit"
    return ""


def registered_bidder(actor, bidder=None):
    """The caller's bidder row, or the refusal "unregistered"; ``bidder``: the row when the
    caller (the API) has read it already this request, so it is not read again."""
    bidder = bidder if bidder is not None else bidder_for(actor)
    if bidder is None:
        raise Refused("unregistered")
    return bidder


def verified_bidder(actor, bidder=None):
    """The caller as a verified bidder, or the refusal (see :func:`registered_bidder`)."""
    bidder = registered_bidder(actor, bidder)
    if not is_verified_bidder(actor, bidder):
        raise Refused("not_verified")
    return bidder


def ready_registration(lot: Lot, bidder) -> LotRegistration:
    """``bidder``'s registration for ``lot``, once they may bid (deposit confirmed)."""
    registration = (
        LotRegistration.objects.select_related("deposit", "bidder")
        .filter(lot=lot, bidder=bidder)
        .first()
    )
    return ready(registration, lot)


def ready(registration: LotRegistration | None, lot: Lot) -> LotRegistration:
    """The registration, once its bidder may bid on ``lot``; otherwise the refusal."""
    if registration is None:
        raise Refused("not_registered")
    reason = may_bid(registration, lot)
    if reason:
        raise Refused(reason)
    return registration


#: The hot path's one read, its SQL built once per process (core/joined.py: the ORM compiled
#: these six joined tables in more CPU than the rest of the bid's request together), with the
#: audit chain's tip, locked after the lot (``FOR UPDATE OF`` the lot, then the head: the order
#: every other write takes them in, its own rows before the head).
_PATHS = ("deposit", "lot__round__project__package__jurisdiction")
_WHERE = "t0.lot_id = %s AND t0.bidder_id = %s"
#: The round, project and package are read only for what the bid's answer and audit entry show
#: (the round's number, the project's code) and the way to the jurisdiction: 3 of their 44
#: columns.
_ONLY = {
    "lot__round": ("number", "project"),
    "lot__round__project": ("code", "package"),
    "lot__round__project__package": ("jurisdiction",),
}
_REGISTRATION = JoinedRead(
    LotRegistration, _PATHS, where=_WHERE, lock="lot", also=head_join(), only=_ONLY
)
#: The same without the tip, when that found nothing (no such registration; or no head yet).
_REGISTRATION_ALONE = JoinedRead(LotRegistration, _PATHS, where=_WHERE, lock="lot", only=_ONLY)


def locked_registration(pk: int, bidder) -> LotRegistration | None:
    """``bidder``'s registration for lot ``pk`` with its deposit and the lot, the lot and then
    the audit chain's head under their row locks: the locks, the lot's state, the bidder's
    eligibility and the chain's tip (``tip``, for the bid's audit entry; None when not read)
    in one statement (the hot path of a bid). None when there is no such registration (the
    lot is then locked and read by ``locked_lot``, for the right refusal). Locked inside the
    caller's transaction, as ``select_for_update(of=("lot",))`` would."""
    found = _REGISTRATION.first([pk, bidder.pk])
    if found is not None:
        found.tip = found.joined_also
        return found
    found = _REGISTRATION_ALONE.first([pk, bidder.pk])
    if found is not None:
        found.tip = None
    return found


def english_only(lot: Lot) -> None:
    """Refuse an ascending bid on a sealed or Dutch lot."""
    if lot.kind != LotKind.ENGLISH:
        raise Refused("sealed_only" if lot.kind == LotKind.SEALED else "dutch_only")


def open_now(lot: Lot):
    """The server's time, with the (locked) lot open for bids at it: a scheduled lot whose
    start has come opens; otherwise the refusal (not yet open, or closed: ``PastEnd`` when
    its end has passed but no one has closed it yet)."""
    at = now()
    if lot.status in (LotStatus.SCHEDULED, LotStatus.OPEN) and at >= lot.end_at:
        raise PastEnd
    if lot.status == LotStatus.SCHEDULED:
        if at < lot.start_at:
            raise Refused("not_open", start=lot.start_at)
        from panhuo.auctions.services import lot_open

        lot_open(lot=lot, at=at)
    if lot.status != LotStatus.OPEN or at >= lot.end_at:
        raise Refused("closed")
    return at


@contextmanager
def closing_past_end(pk: int):
    """Around a bid's transaction: a bid refused because the lot's end has passed (``PastEnd``)
    closes the lot then and there, through the worker's own step (``lot_close_if_due``, in its
    own transaction, the system's act), instead of leaving it open until the worker runs."""
    try:
        yield
    except PastEnd:
        from panhuo.auctions.services import lot_close_if_due

        lot_close_if_due(pk)
        raise


def new_rows(lot: Lot, rows, at, kind_of=None) -> list[Bid]:
    """``rows`` (engine.Row, bidders by registration id) as the lot's next bids, not written
    yet; the lot's count moves on."""
    bids = []
    for row in rows:
        lot.bid_count += 1
        kind = kind_of or (BidKind.PROXY if row.auto else BidKind.BID)
        bids.append(Bid(
            lot=lot, registration_id=row.bidder, seq=lot.bid_count, kind=kind,
            amount=row.amount, maximum=row.maximum, placed_at=at, end_at=lot.end_at,
        ))  # fmt: skip
    return bids


def append_rows(lot: Lot, rows, at, kind_of=None) -> list[Bid]:
    """Append ``rows`` as the lot's next bids, in one INSERT."""
    return Bid.objects.bulk_create(new_rows(lot, rows, at, kind_of))


@retry_when_busy
def bid_place(*, actor, lot_id: Any, amount: Any, bidder=None) -> Lot:
    """Place ``amount`` as the caller's bid (their maximum) on lot ``lot_id``; refuse it with
    the reason (``Refused``, in the caller's language) or return the lot as it now stands.
    ``bidder``: the caller's bidder row if already read this request."""
    pk = lot_id_of(lot_id)
    maximum = parse_amount(amount)
    bidder = verified_bidder(actor, bidder)
    with closing_past_end(pk), transaction.atomic():
        registration = locked_registration(pk, bidder)
        lot = registration.lot if registration is not None else locked_lot(pk)
        english_only(lot)
        registration = ready(registration, lot)
        # The tip read with the lock stands while nothing is appended before the bid's entry
        # (opening a scheduled lot appends one).
        tip = registration.tip if lot.status == LotStatus.OPEN else None
        at = open_now(lot)
        try:
            outcome = engine.place(book_of(lot), registration.pk, maximum, at)
        except engine.Refusal as refusal:
            raise Refused(refusal.code, **refusal.params) from None
        before_end, before_price = lot.end_at, lot.price
        new = outcome.book
        lot.price, lot.leader_id, lot.leader_max = new.price, new.leader, new.leader_max
        lot.end_at = new.end_at
        bids = new_rows(lot, outcome.rows, at)
        if outcome.extended:
            lot.extensions += 1
        lot.version += 1
        # The bid rows and the lot are written with the audit entry, in one round trip on
        # PostgreSQL, the audit head read and locked with the lot: the lot's lock is held over
        # two round trips after it is taken (writes, commit), not five.
        writes = [insert_sql(bids), update_sql(Lot, lot.pk, {
            "price": lot.price, "leader_id": lot.leader_id, "leader_max": lot.leader_max,
            "end_at": lot.end_at, "bid_count": lot.bid_count, "extensions": lot.extensions,
            "version": lot.version,
        })]  # fmt: skip
        path = lot.jurisdiction.path
        # The amounts, never a maximum (a bidder's secret until the result). A bid changes no
        # user, token, grant or bidder (access=False): the processes' memo of those
        # (organisation/memo.py) keeps answering the hot lot's next bids.
        entry = audit_record(
            actor=actor, action="lot.bid", obj=lot, jurisdiction_path=path, along=writes,
            access=False, tip=tip,
            before={"price": str(before_price) if before_price is not None else None},
            after={"bids": [[b.seq, b.registration_id, str(b.amount), b.kind] for b in bids],
                   "price": str(lot.price), "leader": lot.leader_id},
        )  # fmt: skip
        if outcome.extended:
            audit_record(
                actor=actor, action="lot.extend", obj=lot, jurisdiction_path=path, access=False,
                tip=(entry.seq, entry.hash),
                before={"end_at": before_end.isoformat()},
                after={"end_at": lot.end_at.isoformat(), "by_bid": bids[-1].seq},
            )  # fmt: skip
    return lot


@retry_when_busy
def priority_match(*, actor, lot_id: Any) -> Lot:
    """A priority-purchase-right holder matches the top bid after the close (before the award):
    they take it at the final price."""
    pk = lot_id_of(lot_id)
    bidder = registered_bidder(actor)
    with transaction.atomic():
        lot = locked_lot(pk)
        registration = LotRegistration.objects.filter(lot=lot, bidder=bidder).first()
        if registration is None or not registration.priority_holder:
            raise Refused("not_holder")
        if lot.status != LotStatus.CLOSED:
            raise Refused("not_closed")
        reason = may_bid(registration, lot)
        if reason:
            raise Refused(reason)
        if lot.bids.filter(kind=BidKind.MATCH).exists():
            raise Refused("already_matched")
        try:
            outcome = engine.match(book_of(lot), registration.pk)
        except engine.Refusal as refusal:
            raise Refused(refusal.code) from None
        before = lot.leader_id
        lot.leader_id, lot.leader_max = outcome.book.leader, outcome.book.leader_max
        bids = append_rows(lot, outcome.rows, now(), BidKind.MATCH)
        lot.version += 1
        lot.save(update_fields=["leader", "leader_max", "bid_count", "version"])
        audit_record(
            actor=actor, action="lot.match", obj=lot, jurisdiction_path=lot.jurisdiction.path,
            before={"leader": before},
            after={"leader": lot.leader_id, "price": str(lot.price), "bid": bids[0].seq},
        )  # fmt: skip
    return lot
