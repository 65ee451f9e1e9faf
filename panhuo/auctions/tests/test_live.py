"""The lot's live stream (auctions/live.py) through the test client: the headers that keep a
proxy from buffering it, the state as its first event, a change after a bid, the server's
clock, the pseudonymised leader, the bounded number of streams, and who may read it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client, override_settings
from django.urls import reverse

from panhuo.auctions import bidding, live
from panhuo.auctions.tests.support import Clock, make_lot, registered
from panhuo.core.testing import make_user
from panhuo.organisation.models import Role


@pytest.fixture(autouse=True)
def free_slots(monkeypatch):
    """No stream slot taken: the test client never closes a stream nobody read, so other
    tests of the process (the authorization matrix's calls) may have left slots taken."""
    monkeypatch.setattr(live, "_open_streams", 0)


def live_settings(**kw):
    from django.conf import settings

    cfg = {**settings.PANHUO["LIVE"], "POLL_SECONDS": 0.01, "STREAM_SECONDS": 0, **kw}
    return override_settings(PANHUO={**settings.PANHUO, "LIVE": cfg})


def _client(user, language="en") -> Client:
    c = Client(headers={"accept-language": language})
    c.force_login(user)
    return c


def close(response) -> None:
    """Close a response as the server would (which gives the stream's slot back), keeping the
    test's database connection (closing a response outside the client would close it)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def parse(chunk: bytes) -> list[tuple[str, dict | int]]:
    """The events and retry fields of a chunk of the stream: [(name, data)]."""
    out: list[tuple[str, dict | int]] = []
    for block in chunk.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "retry" in fields:
            out.append(("retry", int(fields["retry"])))
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def test_the_stream_starts_with_the_state_and_is_not_buffered(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    a = registered(world, lot)
    bidding.bid_place(actor=a, lot_id=lot.pk, amount="5600000.00")
    with live_settings():
        r = _client(a).get(reverse("lot-live", args=[lot.pk]))
        assert r.status_code == 200 and r.streaming
        assert r["Content-Type"].startswith("text/event-stream")
        assert r["X-Accel-Buffering"] == "no" and "no-cache" in r["Cache-Control"]
        events = parse(b"".join(r.streaming_content))
        close(r)
    assert events[0] == ("retry", 1000)
    name, state = events[1]
    assert name == "lot"
    assert state["price"] == "5500000.00" and state["bids"] == 1
    assert state["leader"] == "Bidder 1" and state["leading"] is True
    assert state["minimum_bid"] == "5550000.00" and state["accepting_bids"] is True
    assert state["server_time"] and state["end_at"] and state["extensions"] == 0
    # Nothing a bidder may not see: no maximum, no reserve.
    assert "5600000" not in json.dumps(state) and "reserve" not in state


def test_a_bid_reaches_an_open_stream_with_the_extension(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a, b = registered(world, lot), registered(world, lot, name="Other")
    with live_settings(STREAM_SECONDS=30):
        r = _client(b, "zh-hans").get(reverse("lot-live", args=[lot.pk]))
        stream = iter(r.streaming_content)
        first = parse(next(stream))
        assert first[1][1]["bids"] == 0 and first[1][1]["leader"] == ""
        # A bid in the last five minutes: the stream's next event has it and the new end.
        clock.at = lot.end_at - dt.timedelta(minutes=2)
        bidding.bid_place(actor=a, lot_id=lot.pk, amount="5500000.00")
        (name, state), *_ = parse(next(stream))
        close(r)
    assert name == "lot" and state["bids"] == 1 and state["leading"] is False
    assert state["leader"] == "竞买人 1" and state["status_label"] != "Open for bids"
    assert state["extensions"] == 1 and state["extensions_text"]
    assert state["end_at"] > first[1][1]["end_at"]


def test_streams_are_bounded_a_viewer_over_the_limit_gets_the_state_once(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    a = registered(world, lot)
    url = reverse("lot-live", args=[lot.pk])
    with live_settings(STREAMS=1, STREAM_SECONDS=30):
        held = _client(a).get(url)  # holds the one slot until closed
        busy = _client(a).get(url)
        events = parse(b"".join(busy.streaming_content))
        close(busy)
        assert events[0] == ("retry", 5000) and [e[0] for e in events] == ["retry", "lot"]
        close(held)  # the slot is given back, also when the stream was never read
        again = _client(a).get(url)
        assert parse(next(iter(again.streaming_content)))[0] == ("retry", 1000)
        close(again)


def test_who_may_listen(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    url = reverse("lot-live", args=[lot.pk])
    with live_settings():
        assert Client().get(url).status_code == 302  # to sign in
        assert _client(world.user("office")).get(url).status_code == 200
        outsider = make_user("live_other", Role.OFFICE, world.other_district)
        assert _client(outsider).get(url).status_code == 404
        assert _client(world.user("office")).post(url).status_code == 405
        missing = reverse("lot-live", args=[lot.pk + 10_000])
        assert _client(world.user("office")).get(missing).status_code == 404


def test_the_lot_page_loads_the_live_script_and_shows_the_leader(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    a = registered(world, lot)
    bidding.bid_place(actor=a, lot_id=lot.pk, amount="5600000.00")
    page = _client(a).get(lot.get_absolute_url())
    assert page.status_code == 200
    assert "auctions/live" in page.text and reverse("lot-live", args=[lot.pk]) in page.text
    assert 'data-live="leader">Bidder 1<' in page.text
    assert "data-countdown" in page.text and "data-server-time=" in page.text


def test_a_dutch_lots_falling_price_reaches_an_open_stream_without_a_bid(world, monkeypatch):
    """The Dutch price falls by the server's clock: the stream sends it when it falls."""
    from panhuo.auctions.tests.test_dutch import dutch_lot

    clock = Clock(monkeypatch)
    lot = dutch_lot(world, clock)  # 6,000,000 falling 100,000 every 10 minutes
    a = registered(world, lot)
    with live_settings(STREAM_SECONDS=30):
        r = _client(a).get(reverse("lot-live", args=[lot.pk]))
        stream = iter(r.streaming_content)
        first = parse(next(stream))[1][1]
        clock.move(minutes=10)
        (name, state), *_ = parse(next(stream))
        close(r)
    assert first["price"] == first["minimum_bid"] == "6000000.00" and first["bids"] == 0
    assert first["next_drop_at"] == (lot.start_at + dt.timedelta(minutes=10)).isoformat()
    assert name == "lot" and state["price"] == "5900000.00" and state["bids"] == 0
    assert "5,900,000" in state["price_text"] and state["next_drop_at"] > first["next_drop_at"]
