"""Bids racing on one lot, from many threads, each with its own database connection, against
the committed test database (PostgreSQL on the PostgreSQL run): the database orders them under
the lot's row lock, so none is lost, none is accepted against a stale price, and the soft close
holds when the last bids race the end and the closing task.

"None accepted against a stale price" is checked by replaying the accepted bids, in the order
the database gave them, through the rules (engine.place): the replay must give exactly the rows
and the price that were written."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from panhuo.auctions import bidding, engine, services
from panhuo.auctions.models import Bid, BidKind, Lot, LotStatus
from panhuo.auctions.refusals import Refused
from panhuo.auctions.tests.support import make_lot, registered
from panhuo.core.errors import Conflict
from panhuo.core.testing import build_world
from panhuo.integrity.models import AuditEntry

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THREADS = 12
D = Decimal
_local = threading.local()


@pytest.fixture
def clock(monkeypatch):
    """Each thread's own server time (``_local.at``), the test's default otherwise."""
    default = {"at": None}

    def now():
        return getattr(_local, "at", None) or default["at"] or dt.datetime.now(dt.UTC)

    monkeypatch.setattr(bidding, "now", now)
    monkeypatch.setattr(services, "now", now)
    return default


def _others(results) -> list:
    """Anything but a bid's refusal. A busy refusal (Conflict: nothing written, try again) is
    a clear answer too on SQLite, whose in-memory test database locks whole tables ("database
    table is locked", answered at once, never waited for); on PostgreSQL the row lock makes
    every caller wait its turn, so there is none."""
    if connection.vendor == "sqlite":
        return [r for r in results if isinstance(r, Exception)
                and not isinstance(r, Refused | Conflict) and "locked" not in str(r)]  # fmt: skip
    return [r for r in results if isinstance(r, Exception) and not isinstance(r, Refused)]


def _run(calls) -> list:
    """Run each call in its own thread, all released at once; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _replay(lot: Lot) -> None:
    """Replay the accepted bids in the database's order (each call's rows as its audit entry
    lists them): same rows, same price, same end."""
    rows = {b.seq: b for b in Bid.objects.filter(lot=lot)}
    assert sorted(rows) == list(range(1, len(rows) + 1))
    book = engine.Book(
        start_price=lot.start_price, increment=lot.increment, reserve=lot.reserve,
        end_at=lot.planned_end_at, window=lot.window, extension=lot.extension,
    )  # fmt: skip
    calls = AuditEntry.objects.filter(action="lot.bid", object_id=str(lot.pk)).order_by("seq")
    seen = []
    for entry in calls:
        written = [rows[seq] for seq, *_rest in entry.after["bids"]]
        placed = next(b for b in written if b.kind == BidKind.BID)
        out = engine.place(book, placed.registration_id, placed.maximum, placed.placed_at)
        assert [(b.registration_id, b.amount, b.kind == BidKind.PROXY) for b in written] == [
            (r.bidder, r.amount, r.auto) for r in out.rows
        ]
        assert all(b.end_at == out.book.end_at for b in written)
        book = out.book
        seen += [b.seq for b in written]
    assert seen == sorted(rows)
    assert (book.price, book.leader, book.end_at) == (lot.price, lot.leader_id, lot.end_at)


def test_simultaneous_bids_are_ordered_none_lost_none_against_a_stale_price(clock):
    w = build_world()
    lot = make_lot(w, minutes=600)
    users = [registered(w, lot) for _ in range(THREADS)]
    amounts = [
        D("5500000.00") + D("37000.00") * (i % 7) + D("50000.00") * i for i in range(THREADS)
    ]
    results = _run([
        (lambda u=u, a=a: bidding.bid_place(actor=u, lot_id=lot.pk, amount=a))
        for u, a in zip(users, amounts, strict=True)
    ])  # fmt: skip
    refused = [r for r in results if isinstance(r, Refused)]
    assert _others(results) == []
    assert all(r.reason == "too_low" for r in refused)
    lot = Lot.objects.get(pk=lot.pk)
    accepted = sum(1 for r in results if isinstance(r, Lot))
    assert accepted >= 1
    placed = Bid.objects.filter(lot=lot, kind=BidKind.BID).count()
    assert placed == accepted  # every accepted bid is written, none twice
    _replay(lot)
    # The highest maximum placed leads (one that was placed is never too low for a later one:
    # nothing was above it).
    placed_amounts = [a for a, r in zip(amounts, results, strict=True) if isinstance(r, Lot)]
    top = max(placed_amounts)
    assert lot.leader.bidder.user == users[amounts.index(top)]
    assert lot.leader_max == top
    if connection.vendor == "postgresql":
        assert top == max(amounts)


def test_the_soft_close_holds_when_the_last_bids_race_the_end(clock):
    w = build_world()
    lot = make_lot(w, minutes=60)
    end = lot.end_at
    users = [registered(w, lot) for _ in range(THREADS - 2)]
    clock["at"] = end - dt.timedelta(minutes=30)
    bidding.bid_place(actor=users[0], lot_id=lot.pk, amount="5500000.00")

    def late(u, amount):
        _local.at = end - dt.timedelta(seconds=1)
        return bidding.bid_place(actor=u, lot_id=lot.pk, amount=amount)

    def closer():
        _local.at = end
        return services.close_due()

    calls = [(lambda u=u, i=i: late(u, D("6000000.00") + D("100000.00") * i))
             for i, u in enumerate(users[1:])]  # fmt: skip
    results = _run([*calls, closer, closer])
    assert _others(results) == []
    lot = Lot.objects.get(pk=lot.pk)
    late_bids = Bid.objects.filter(
        lot=lot, kind=BidKind.BID, placed_at__gte=end - dt.timedelta(seconds=1)
    )
    accepted = late_bids.count()
    if lot.status == LotStatus.CLOSED:
        # The close came first: every late bid was refused as after the close.
        assert accepted == 0 and lot.end_at == end
        assert all(getattr(r, "reason", "closed") == "closed" for r in results[: len(calls)])
    else:
        # A late bid came first: it extended the end, so the close was not due. The others
        # of the same second were then 5 min 1 s before the new end: outside the window.
        assert lot.status == LotStatus.OPEN and accepted >= 1
        assert lot.end_at == end + lot.extension and lot.extensions == 1
        assert all(r == [] or isinstance(r, Exception) for r in results[-2:])
    assert not Bid.objects.filter(lot=lot, placed_at__gte=end).exists()
    _replay(lot)
