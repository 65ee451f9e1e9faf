"""What the live-bidding, race and benchmark runs do in other processes, against a real
committed database (an ``ExternalDb`` or the benchmark's), each process with its own connection.

``python -m panhuo.auctions.tests.live_tasks FUNCTION JSON_KWARGS`` sets Django up from the
environment, calls the function and prints its JSON result as the last line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from typing import Any


def setup(*, bidders: int, minutes: int = 600, tokens: bool = False) -> dict[str, Any]:
    """A world (made once), an open lot and ``bidders`` verified bidders registered for it with
    confirmed deposits; a signed-in session (and an API token) for each."""
    from django.conf import settings
    from django.test import Client

    from panhuo.auctions.tests.support import make_lot, registered
    from panhuo.core.testing import build_world
    from panhuo.organisation.services import api_token_create

    w = build_world()
    lot = make_lot(w, minutes=minutes)
    out = []
    for _ in range(bidders):
        user = registered(w, lot)
        client = Client()
        client.force_login(user)
        entry = {"username": user.username,
                 "session": client.cookies[settings.SESSION_COOKIE_NAME].value}  # fmt: skip
        if tokens:
            entry["token"] = api_token_create(actor=user, user=user, name="live")[1]
        out.append(entry)
    return {"lot": lot.pk, "cookie": settings.SESSION_COOKIE_NAME, "bidders": out,
            "end_at": lot.end_at.isoformat(), "start_price": str(lot.start_price),
            "increment": str(lot.increment)}  # fmt: skip


def bid(*, lot: int, username: str, amount: str, at: str | None = None) -> dict[str, Any]:
    from panhuo.auctions import bidding
    from panhuo.organisation.models import User

    _set_clock(at)
    placed = bidding.bid_place(actor=User.objects.get(username=username), lot_id=lot, amount=amount)
    return {"bids": placed.bid_count, "price": str(placed.price)}


def _set_clock(at: str | None) -> None:
    """The server's clock of this process, fixed at ``at`` (as the tests' Clock does)."""
    if at:
        from panhuo.auctions import bidding, services

        fixed = dt.datetime.fromisoformat(at)
        bidding.now = services.now = lambda: fixed


def _connected_then(wait) -> None:
    """Connected (this process's own connection) and ready: wait for the start."""
    from django.db import connection

    connection.ensure_connection()
    wait()


def _bids(*, lot: int, username: str, amounts: list[str], wait, at: str | None = None):
    """Place ``amounts`` one after the other as ``username`` once started; what each got."""
    from panhuo.auctions import bidding
    from panhuo.auctions.refusals import Refused
    from panhuo.core.errors import Conflict
    from panhuo.organisation.models import User

    _set_clock(at)
    user = User.objects.get(username=username)
    _connected_then(wait)
    results = []
    for amount in amounts:
        try:
            placed = bidding.bid_place(actor=user, lot_id=lot, amount=amount)
            results.append({"accepted": amount, "bids": placed.bid_count})
        except Refused as refused:
            results.append({"refused": refused.reason})
        except Conflict as busy:  # SQLite: busy past the retries, nothing written
            results.append({"busy": str(busy)[:200]})
    return {"results": results}


def _close(*, wait, at: str | None = None):
    """The closing task, once started."""
    from panhuo.auctions import services
    from panhuo.core.errors import Conflict

    _set_clock(at)
    _connected_then(wait)
    try:
        return {"closed": [lot.pk for lot in services.close_due()]}
    except Conflict as busy:
        return {"busy": str(busy)[:200]}


def _child(i: int, function: str, kwargs: dict, barrier, queue) -> None:
    from django.db import connections

    try:
        out = {"bids": _bids, "close": _close}[function](wait=barrier.wait, **kwargs)
    except Exception as exc:  # reported to the test, which fails on it
        out = {"error": repr(exc)}
    finally:
        connections.close_all()
    queue.put((i, os.getpid(), out))


def race(*, calls: list[list]) -> dict[str, Any]:
    """One process per call (``[function, kwargs]``: ``bids`` or ``close``), forked from this
    one once Django is set up (so none pays for the start again), each opening its own
    database connection; a barrier releases them all at once. What each answered."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # no connection is shared across the fork
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(len(calls)), ctx.Queue()
    procs = [
        ctx.Process(target=_child, args=(i, function, kwargs, barrier, queue))
        for i, (function, kwargs) in enumerate(calls)
    ]
    for proc in procs:
        proc.start()
    answers: dict[int, Any] = {}
    pids = set()
    for _ in procs:
        i, pid, out = queue.get(timeout=300)
        answers[i], pids = out, pids | {pid}
    for proc in procs:
        proc.join(timeout=60)
    return {"answers": [answers[i] for i in range(len(calls))], "processes": len(pids)}


def check(*, lot: int) -> dict[str, Any]:
    """The lot's bids replayed in the database's order through the rules (engine.place): each
    accepted call's rows, the price, the leader and the end must come out as written. Returns
    what differs (nothing, when none was lost or accepted against a stale price)."""
    from panhuo.auctions import engine
    from panhuo.auctions.models import Bid, BidKind, Lot
    from panhuo.integrity.models import AuditEntry

    lot_ = Lot.objects.get(pk=lot)
    rows = {b.seq: b for b in Bid.objects.filter(lot=lot_)}
    problems: list[str] = []
    if sorted(rows) != list(range(1, len(rows) + 1)):
        problems.append(f"seq not 1..n: {sorted(rows)[:20]}")
    book = engine.Book(
        start_price=lot_.start_price, increment=lot_.increment, reserve=lot_.reserve,
        end_at=lot_.planned_end_at, window=lot_.window, extension=lot_.extension,
    )  # fmt: skip
    seen: list[int] = []
    entries = AuditEntry.objects.filter(action="lot.bid", object_id=str(lot)).order_by("seq")
    for entry in entries:
        written = [rows[seq] for seq, *_rest in entry.after["bids"]]
        placed = next(b for b in written if b.kind == BidKind.BID)
        try:
            out = engine.place(book, placed.registration_id, placed.maximum, placed.placed_at)
        except engine.Refusal as refusal:
            problems.append(f"bid #{placed.seq} accepted against a stale book: {refusal.code}")
            continue
        got = [(b.registration_id, str(b.amount), b.kind == BidKind.PROXY) for b in written]
        want = [(r.bidder, str(r.amount), r.auto) for r in out.rows]
        if got != want:
            problems.append(f"rows of bid #{placed.seq}: {got} != {want}")
        if any(b.end_at != out.book.end_at for b in written):
            problems.append(f"end after bid #{placed.seq}")
        book = out.book
        seen += [b.seq for b in written]
    if seen != sorted(rows):
        problems.append("bid rows without their audit entry, or out of order")
    if (book.price, book.leader, book.end_at) != (lot_.price, lot_.leader_id, lot_.end_at):
        problems.append("the lot's price, leader or end differs from the replay")
    times = [rows[s].placed_at for s in sorted(rows)]
    if times != sorted(times):
        problems.append("placed_at not in seq order")
    late = [s for s, b in rows.items() if b.placed_at >= b.end_at]
    if late:
        problems.append(f"bids at or after their end: {late}")
    # A bid's entry is chained to the tip read with the lot's lock (bidding.locked_registration):
    # racing bids (and any other write) must still leave one unbroken chain.
    from panhuo.integrity.services import audit_verify

    chain = audit_verify()
    if not chain.ok:
        problems.append(f"audit chain broken at #{chain.broken_seq}: {chain.reason}")
    placed_rows = [b for b in rows.values() if b.kind == BidKind.BID]
    return {
        "problems": problems,
        "placed": sorted(
            [b.registration.bidder.user.username, str(b.maximum)] for b in placed_rows
        ),
        "rows": len(rows),
        "status": lot_.status,
        "end_at": lot_.end_at.isoformat(),
        "extensions": lot_.extensions,
        "price": str(lot_.price) if lot_.price is not None else None,
        "leader": lot_.leader.bidder.user.username if lot_.leader_id else None,
        "leader_max": str(lot_.leader_max) if lot_.leader_max is not None else None,
    }


def amount(start: str, increment: str, steps: int) -> str:
    return str(Decimal(start) + Decimal(increment) * steps)


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(globals()[sys.argv[1]](**json.loads(sys.argv[2]))))
