"""The lot pages and the lots API, for the bidder and the office: the bidder registers,
declares the deposit paid, bids (a refusal shows its reason, 400, in their language) and sees
their own bids; the office sets up a lot, lists lots and awards; others are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panhuo.auctions.models import Bid, Lot
from panhuo.auctions.tests.support import Clock, listed_project, make_bidder, make_lot, registered
from panhuo.core.tests.api_support import call, client_for
from panhuo.finance.deposits.models import Deposit
from panhuo.finance.deposits.services import deposit_transition

D = Decimal


def _client(user, language="en") -> Client:
    c = Client(headers={"accept-language": language})
    c.force_login(user)
    return c


def test_a_bidder_registers_declares_the_deposit_and_bids_on_the_page(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    user, _bidder = make_bidder(world)
    c = _client(user)
    page = c.get(lot.get_absolute_url())
    assert page.status_code == 200 and "Register for this lot" in page.text
    assert c.post(reverse("lot-register", args=[lot.pk])).status_code == 302
    deposit = Deposit.objects.get(party__user=user)
    assert deposit.status == "due"
    r = c.post(reverse("lot-deposit", args=[lot.pk]),
               {"voucher": "BANK-77", "paid_on": timezone.localdate().isoformat()})  # fmt: skip
    assert r.status_code == 302
    page = c.get(lot.get_absolute_url())
    assert "has not been confirmed by finance" in page.text
    deposit_transition(actor=world.user("finance"), deposit=Deposit.objects.get(pk=deposit.pk),
                       action="confirm")  # fmt: skip
    r = c.post(reverse("lot-bid", args=[lot.pk]), {"amount": "5,600,000"})
    assert r.status_code == 302
    page = c.get(lot.get_absolute_url())
    assert "You are the leading bidder." in page.text and "5,600,000.00" in page.text


def test_a_refused_bid_shows_the_reason_in_the_bidders_language(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    a, b = registered(world, lot), registered(world, lot)
    call(_client(a), "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "5500000.00"})
    r = _client(b).post(reverse("lot-bid", args=[lot.pk]), {"amount": "5500000"})
    assert r.status_code == 400 and "5,550,000.00" in r.text
    r = _client(b, "zh-hans").post(reverse("lot-bid", args=[lot.pk]), {"amount": "5500000"})
    assert r.status_code == 400 and "出价至少为" in r.text
    assert Bid.objects.filter(lot=lot).count() == 1


def test_the_api_bids_and_refuses_with_the_reason(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a, b = _client(registered(world, lot)), _client(registered(world, lot), "zh-hans")
    r = call(a, "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "5600000.00"})
    assert r.status_code == 200 and r.json()["price"] == "5500000.00"
    r = call(b, "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "5500000.00"})
    assert r.status_code == 400 and "出价至少为" in r.json()["errors"]["amount"][0]
    r = call(b, "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "lots"})
    assert r.status_code == 400 and "amount" in r.json()["errors"]
    r = call(a, "POST", "/api/v1/lots/987654/bids", {"amount": "5600000.00"})
    assert r.status_code == 404 and r.json()["errors"]["lot"] == ["There is no such lot."]
    r = call(a, "POST", "/api/v1/lots/abc/bids", {"amount": "5600000.00"})
    assert r.status_code == 422
    state = a.get(f"/api/v1/lots/{lot.pk}").json()
    assert state["reserve"] == "5500000.00" and state["accepting_bids"] is True
    own = a.get(f"/api/v1/lots/{lot.pk}/bids").json()
    assert [x["maximum"] for x in own] == ["5600000.00"]
    assert b.get(f"/api/v1/lots/{lot.pk}/bids").json() == []
    assert a.get(f"/api/v1/lots/{lot.pk}/history").json() == []
    clock.move(hours=2)
    r = call(a, "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "9000000.00"})
    assert r.status_code == 400 and r.json()["errors"]["lot"] == ["Bidding on this lot has closed."]


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 403), ("finance", 403), ("head", 403), ("norole", 403), ("anonymous", 401)],
)
def test_only_bidders_bid(world, monkeypatch, who, status):
    Clock(monkeypatch)
    lot = make_lot(world)
    r = call(client_for(world, who), "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "6000000"})
    assert r.status_code == status
    assert not Bid.objects.exists()


def test_the_office_sets_up_lists_and_awards(world, monkeypatch):
    clock = Clock(monkeypatch)
    project = listed_project(world)
    office = client_for(world, "office")
    start = timezone.localtime() + dt.timedelta(minutes=1)
    fmt = "%Y-%m-%dT%H:%M"
    r = office.post(reverse("lot-create"), {
        "round": project.rounds.get().pk, "start_price": "5500000", "increment": "10000",
        "reserve_public": "on", "deposit_amount": "0", "start_at": start.strftime(fmt),
        "end_at": (start + dt.timedelta(hours=1)).strftime(fmt), "window_minutes": 5,
        "extension_minutes": 5,
    })  # fmt: skip
    assert r.status_code == 302, r.text[:3000]
    lot = Lot.objects.get(round__project=project)
    assert lot.deposit_amount == 0
    listing = office.get(reverse("lot-list"))
    assert listing.status_code == 200 and project.code in listing.text
    assert office.get(reverse("lot-list") + "?export=csv").status_code == 200
    assert client_for(world, "finance").get(reverse("lot-create")).status_code == 403
    user = registered(world, lot)
    clock.at = lot.start_at + dt.timedelta(minutes=1)
    call(_client(user), "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "5500000.00"})
    clock.move(hours=2)
    assert client_for(world, "finance").post(reverse("lot-award", args=[lot.pk])).status_code == 403
    from panhuo.auctions.services import close_due

    close_due()
    r = office.post(reverse("lot-award", args=[lot.pk]))
    assert r.status_code == 302
    assert Lot.objects.get(pk=lot.pk).status == "awarded"
    page = _client(user).get(lot.get_absolute_url())
    assert "Bid history" in page.text and "Bidder 1" in page.text


def test_other_places_do_not_see_the_lot(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    assert client_for(world, "outsider_office").get(lot.get_absolute_url()).status_code == 404
    assert client_for(world, "outsider_office").get(f"/api/v1/lots/{lot.pk}").status_code == 404
    assert client_for(world, "office").post(lot.get_absolute_url()).status_code == 405
