"""Dutch (descending) lots: the price falls by a step each interval from the starting price to
the floor by the server's clock, the first bidder takes the lot at the price of the moment, and
a floor below 90 % of the appraisal needs the head's approved price exception."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.auctions import bidding, descending, dutch
from panhuo.auctions.models import Bid, Lot, LotStatus
from panhuo.auctions.refusals import Refused
from panhuo.auctions.services import close_due, lot_award
from panhuo.auctions.tests.support import Clock, listed_project, make_lot, registered
from panhuo.core.errors import ValidationError
from panhuo.core.gates import GateRefused
from panhuo.core.testing import written_approval
from panhuo.core.tests.api_support import call, client_for
from panhuo.disposal import price_exceptions as pe
from panhuo.integrity.models import AuditEntry

D = Decimal
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(min_value=2, max_value=10**9),
    step=st.integers(min_value=1, max_value=10**7),
    floor_share=st.integers(min_value=1, max_value=100),
    minutes=st.integers(min_value=1, max_value=1440),
    times=st.lists(st.integers(min_value=-(10**6), max_value=10**8), min_size=2, max_size=8),
)
def test_property_the_price_never_falls_below_the_floor_and_never_rises(
    start, step, floor_share, minutes, times
):
    start_price = D(start) / 100
    floor = max(D("0.01"), (start_price * floor_share / 100).quantize(D("0.01")))
    terms = {"start_price": start_price, "step": D(step) / 100, "floor": floor,
             "start_at": T0, "interval": dt.timedelta(minutes=minutes)}  # fmt: skip
    prices = [dutch.price_at(**terms, now=T0 + dt.timedelta(seconds=s)) for s in sorted(times)]
    assert all(floor <= p <= start_price for p in prices)
    assert all(a >= b for a, b in itertools.pairwise(prices))
    # Exactly one step per whole interval, until the floor.
    n = max(0, max(times)) // (minutes * 60)
    at = T0 + dt.timedelta(seconds=max(times))
    assert dutch.price_at(**terms, now=at) == max(floor, start_price - terms["step"] * n)
    drop = dutch.next_drop_at(**terms, now=at)
    assert drop is None or (drop > at and dutch.price_at(**terms, now=drop) < prices[-1])


def dutch_lot(w, clock, project=None, **kw):
    terms = {"start_price": D("6000000.00"), "price_step": D("100000.00"), "step_minutes": 10,
             "floor_price": D("5000000.00")}  # fmt: skip
    terms.update(kw)
    return make_lot(w, project, kind="dutch", increment=None,
                    start=clock.at - dt.timedelta(seconds=1), minutes=240, **terms)  # fmt: skip


def test_the_first_taker_wins_at_the_price_of_the_servers_moment(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = dutch_lot(world, clock)
    assert lot.reserve == D("5000000.00") and lot.increment == D("0.01")
    a, b = registered(world, lot), registered(world, lot)
    clock.at = lot.start_at + dt.timedelta(minutes=35)  # three steps down
    lot = descending.dutch_take(actor=a, lot_id=lot.pk)
    assert lot.price == D("5700000.00") and lot.status == LotStatus.CLOSED
    assert lot.leader.bidder.user == a and not lot.single_bidder
    with pytest.raises(Refused) as exc:
        descending.dutch_take(actor=b, lot_id=lot.pk)
    assert exc.value.reason == "closed"
    assert list(Bid.objects.filter(lot=lot).values_list("amount", flat=True)) == [D("5700000.00")]
    entry = AuditEntry.objects.filter(action="lot.bid").latest("seq")
    assert entry.after["dutch"] is True and entry.after["steps"] == 3
    lot_award(actor=world.user("office"), lot=lot)
    lot = Lot.objects.get(pk=lot.pk)
    assert lot.status == LotStatus.AWARDED and lot.round.project.deal_price == D("5700000.00")


def test_the_price_rests_at_the_floor_and_bidding_is_taking(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = dutch_lot(world, clock)
    a = registered(world, lot)
    with pytest.raises(Refused) as exc:
        bidding.bid_place(actor=a, lot_id=lot.pk, amount="6000000.00")
    assert exc.value.reason == "dutch_only"
    clock.at = lot.start_at + dt.timedelta(minutes=200)
    assert descending.current_price(lot, clock.at) == D("5000000.00")
    assert descending.next_drop(lot, clock.at) is None
    with pytest.raises(Refused) as exc:  # the bidder names a price below the current one
        descending.dutch_take(actor=a, lot_id=lot.pk, price="4999999.99")
    assert exc.value.reason == "price_moved"
    # A price seen earlier (higher) is fine: they pay the current one.
    lot = descending.dutch_take(actor=a, lot_id=lot.pk, price="5100000.00")
    assert lot.price == D("5000000.00")


def test_no_taker_by_the_end_fails_the_lot(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = dutch_lot(world, clock)
    registered(world, lot)
    clock.at = lot.end_at
    close_due()
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.FAILED


def test_setup_checks_the_terms_naming_the_field(world, monkeypatch):
    clock = Clock(monkeypatch)
    project = listed_project(world)
    for bad, field in (({"floor_price": D("7000000.00")}, "floor_price"),
                       ({"price_step": "0"}, "price_step"),
                       ({"step_minutes": 0}, "step_minutes")):  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            dutch_lot(world, clock, project, **bad)
        assert field in exc.value.message_dict


def test_a_floor_below_90_per_cent_needs_the_approved_price_exception(world, monkeypatch):
    clock = Clock(monkeypatch)
    project = listed_project(world)  # appraised 5.5 m: the approval floor is 4.95 m
    with pytest.raises(GateRefused) as exc:
        dutch_lot(world, clock, project, floor_price=D("4900000.00"))
    assert "floor_price" in exc.value.message_dict
    assert "below_approval_floor" in str(exc.value)
    assert not Lot.objects.filter(round__project=project).exists()
    office = world.user("office")
    pe.price_exception_request(actor=office, project=project, amount="4900000",
                               reason="Dutch floor")  # fmt: skip
    with pytest.raises(GateRefused):  # requested, not yet approved
        dutch_lot(world, clock, project, floor_price=D("4900000.00"))
    from panhuo.approvals import services as aps

    written_approval(world, project)
    aps.approval_decide(actor=world.user("head"), request=pe.latest(project), approve=True)
    lot = dutch_lot(world, clock, project, floor_price=D("4900000.00"))
    assert lot.floor_price == D("4900000.00") and lot.reserve == D("4900000.00")


def test_the_api_and_the_page_take_the_lot_and_others_are_refused(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = dutch_lot(world, clock)
    a, b = registered(world, lot), registered(world, lot)
    clock.at = lot.start_at + dt.timedelta(minutes=12)
    ca = client_for(world, "office")
    ca.force_login(a)
    state = ca.get(f"/api/v1/lots/{lot.pk}").json()
    assert state["price"] == "5900000.00" and state["floor_price"] == "5000000.00"
    assert state["next_drop_at"] is not None
    page = ca.get(lot.get_absolute_url())
    assert "Take the lot at 5,900,000.00 yuan" in page.text
    assert call(client_for(world, "office"), "POST", f"/api/v1/lots/{lot.pk}/take",
                {}).status_code == 403  # fmt: skip
    cb = client_for(world, "office", headers={"accept-language": "zh-hans"})
    cb.force_login(b)
    r = call(cb, "POST", f"/api/v1/lots/{lot.pk}/take", {"price": "5000000.00"})
    assert r.status_code == 400 and "price" in r.json()["errors"]
    r = ca.post(reverse("lot-take", args=[lot.pk]), {"price": "5900000.00"})
    assert r.status_code == 302
    r = call(cb, "POST", f"/api/v1/lots/{lot.pk}/take", {})
    assert r.status_code == 400 and "lot" in r.json()["errors"]
    assert Lot.objects.get(pk=lot.pk).price == D("5900000.00")
