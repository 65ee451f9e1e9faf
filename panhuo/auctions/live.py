"""Live bidding: a lot's state as server-sent events (``GET /auctions/<pk>/live/``).

The lot page (``static/auctions/live.js``) opens an ``EventSource`` on this stream and shows,
as bids arrive, the current price, the next minimum bid, the leader's pseudonym ("Bidder n",
numbered as in the published history), the bid count, the end with its soft-close extensions,
the status, and a countdown computed from the **server's** clock: every event carries
``server_time`` and the page counts down from the offset between it and the browser's clock,
never from the browser's clock alone. The server's clock is the auction's one clock,
``bidding.now``, the one the bids and the close are judged by.

The production server (``panhuo serve``: gunicorn's gthread workers with ``--workers``, else
waitress) gives each process a fixed pool of threads (8), one held by each open stream. So a
stream never starves the other requests:

- it lasts at most ``LIVE["STREAM_SECONDS"]`` (25 s) and then ends with ``retry:`` set, so the
  browser reconnects by itself (``Last-Event-ID`` is not needed: every stream starts with the
  whole state);
- at most ``LIVE["STREAMS"]`` streams (3, of the 8 threads) are open at once per process; a
  viewer over the limit gets the state once and ``retry:`` a longer interval (polling, in
  effect), never a queued thread;
- a heartbeat (a ``clock`` event with the server's time) every ``LIVE["HEARTBEAT_SECONDS"]``
  keeps proxies from timing the connection out and notices a gone client (the server raises on
  the write);
- ``X-Accel-Buffering: no`` and ``Cache-Control: no-cache`` keep nginx (and any cache) from
  buffering the events; README "Behind a reverse proxy".

A Dutch lot's price falls by the clock, not by a bid: until someone takes it the state carries
the price of the server's moment and when it next falls (``next_drop_at``), and the stream
sends the state again when that moment passes, so the page shows the price falling.

Between events the stream reads one small row (the lot's version, status and end) every
``LIVE["POLL_SECONDS"]``; only when it changed is the whole state read again. Each stream uses
its thread's database connection, closed by Django when the stream ends.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Min
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from panhuo.auctions import bidding, selectors, services
from panhuo.auctions.models import Bid, Lot, LotKind, LotStatus
from panhuo.core.templatetags.panhuo import yuan
from panhuo.core.ui import fetch_or_404

#: States after which nothing changes by bidding: the page stops listening.
FINAL = frozenset({LotStatus.AWARDED, LotStatus.FAILED})

_slots_lock = threading.Lock()
_open_streams = 0


def config() -> dict[str, float]:
    return settings.PANHUO["LIVE"]


def leader_pseudonym(lot: Lot) -> str:
    """The leader as the published history will name them: "Bidder n", n counting bidders in
    the order they first bid ("" without a leader)."""
    if lot.leader_id is None:
        return ""
    first = Bid.objects.filter(lot=lot, registration_id=lot.leader_id).aggregate(s=Min("seq"))
    if first["s"] is None:
        return ""
    n = (
        Bid.objects.filter(lot=lot, seq__lte=first["s"])
        .values("registration_id")
        .distinct()
        .count()
    )
    return _("Bidder %(n)s") % {"n": n}


def extensions_text(n: int) -> str:
    if not n:
        return ""
    return ngettext("extended %(n)s time by a late bid", "extended %(n)s times by late bids", n) % {
        "n": n
    }


def live_state(lot: Lot, registration_id: int | None = None) -> dict[str, Any]:
    """What the page shows live (nothing a bidder may not see: no maximum, no hidden
    reserve); ``leading`` tells the viewing bidder whether they lead."""
    now = bidding.now()
    accepting = lot.status in (LotStatus.SCHEDULED, LotStatus.OPEN) and (
        lot.start_at <= now < lot.end_at
    )
    return {
        **_bid_state(lot, now),
        "leading": registration_id is not None and lot.leader_id == registration_id,
        "accepting_bids": accepting,
        **_dutch_live(lot, now),
    }


def _bid_state(lot: Lot, now) -> dict[str, Any]:
    """The state of the bidding (the same for every viewer)."""
    return {
        "id": lot.pk,
        "version": lot.version,
        "status": lot.status,
        "status_label": str(lot.get_status_display()),
        "price": None if lot.price is None else str(lot.price),
        "price_text": yuan(lot.price) if lot.price is not None else _("No bid yet"),
        "minimum_bid": str(lot.minimum_bid),
        "minimum_bid_text": yuan(lot.minimum_bid),
        "reserve_met": lot.reserve_met,
        "leader": leader_pseudonym(lot),
        "bids": lot.bid_count,
        "end_at": lot.end_at.isoformat(),
        "end_text": date_format(localtime(lot.end_at), "Y-m-d H:i:s"),
        "extensions_text": extensions_text(lot.extensions),
        "planned_end_at": lot.planned_end_at.isoformat(),
        "extensions": lot.extensions,
        "server_time": now.isoformat(),
        "time_zone": settings.TIME_ZONE,
    }


def _dutch_live(lot: Lot, now) -> dict[str, Any]:
    """A running Dutch lot's price of the moment (as the price and the minimum bid: what a
    taker pays now) and when it next falls; nothing for another lot or once taken."""
    if lot.kind != LotKind.DUTCH:
        return {}
    state = selectors.dutch_state(lot, now)
    drop = state["next_drop_at"]
    out: dict[str, Any] = {"next_drop_at": drop.isoformat() if drop else None}
    if "price" in state:
        price = state["price"]
        out.update(price=str(price), price_text=yuan(price), minimum_bid=str(price),
                   minimum_bid_text=yuan(price))  # fmt: skip
    return out


def _drop_due(lot: Lot) -> Any:
    """When a running Dutch lot's price next falls by the server's clock (None: never)."""
    if lot.kind != LotKind.DUTCH:
        return None
    return selectors.dutch_state(lot, bidding.now())["next_drop_at"]


def event(name: str, data: dict[str, Any], *, event_id: Any = None) -> bytes:
    """One server-sent event (the data as one line of JSON)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def retry(ms: int) -> bytes:
    return f"retry: {int(ms)}\n\n".encode()


def _take_slot() -> bool:
    global _open_streams
    with _slots_lock:
        if _open_streams >= int(config()["STREAMS"]):
            return False
        _open_streams += 1
        return True


def _give_slot() -> None:
    global _open_streams
    with _slots_lock:
        _open_streams -= 1


def _marker(pk: int):
    return Lot.objects.filter(pk=pk).values_list("version", "status", "end_at").first()


class Stream:
    """The events of one stream; its slot is given back when the response is closed (also
    when it was never read: a HEAD, a client gone before the first byte)."""

    def __init__(self, lot: Lot, registration_id: int | None, *, slot: bool) -> None:
        self.lot, self.registration_id, self.slot = lot, registration_id, slot
        self.language = translation.get_language()

    def __iter__(self) -> Iterator[bytes]:
        return events(self.lot, self.registration_id, slot=self.slot, language=self.language)

    def close(self) -> None:
        if self.slot:
            self.slot = False
            _give_slot()


def events(lot: Lot, registration_id: int | None, *, slot: bool, language: str) -> Iterator[bytes]:
    """The state now, then each change, a heartbeat between, until the stream's time is up
    (or at once when no slot was free)."""
    cfg = config()
    with translation.override(language):
        yield from _events(cfg, lot, registration_id, slot)


def _events(cfg, lot: Lot, registration_id: int | None, slot: bool) -> Iterator[bytes]:
    state, drop = live_state(lot, registration_id), _drop_due(lot)
    if not slot or lot.status in FINAL:
        yield retry(cfg["BUSY_RETRY_MS"]) + event("lot", state, event_id=lot.version)
        return
    yield retry(cfg["RETRY_MS"]) + event("lot", state, event_id=lot.version)
    marker = (lot.version, lot.status, lot.end_at)
    started = last_sent = time.monotonic()
    while time.monotonic() - started < cfg["STREAM_SECONDS"]:
        time.sleep(cfg["POLL_SECONDS"])
        now = _marker(lot.pk)
        if now is None:
            return
        if now != marker or (drop is not None and bidding.now() >= drop):
            marker = now
            lot = Lot.objects.select_related("round__project").get(pk=lot.pk)
            drop = _drop_due(lot)
            yield event("lot", live_state(lot, registration_id), event_id=lot.version)
            last_sent = time.monotonic()
            if lot.status in FINAL:
                return
        elif time.monotonic() - last_sent >= cfg["HEARTBEAT_SECONDS"]:
            yield event("clock", {"server_time": bidding.now().isoformat()})
            last_sent = time.monotonic()


@require_safe
@login_required
def lot_live_view(request, pk):
    """The lot's live state as ``text/event-stream``, for whoever may read the lot page."""
    lot = services.lot_closed_if_past(fetch_or_404(selectors.get_lot_for, request.user, pk))
    registration = selectors.registration_of(request.user, lot)
    slot = request.method == "GET" and _take_slot()
    response = StreamingHttpResponse(
        Stream(lot, registration.pk if registration else None, slot=slot),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response
