"""The office sets up, changes and cancels a lot through the API: the terms are judged as the
pages' setup judges them (a refusal names its field, in the caller's language, and writes
nothing), only the office of the project's place may, and the terms stay fixed once bidding
has opened (kind and deposit once a bidder has registered)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from panhuo.auctions.models import Lot, SealedKey
from panhuo.auctions.tests.support import Clock, listed_project, make_lot, registered
from panhuo.core.tests.api_support import call
from panhuo.finance.deposits.models import Deposit
from panhuo.finance.deposits.services import deposit_transition
from panhuo.integrity.models import AuditEntry

D = Decimal


def _client(user, language="en") -> Client:
    c = Client(headers={"accept-language": language})
    c.force_login(user)
    return c


def _terms(start: dt.datetime, **kw) -> dict:
    return {"start_price": "5500000.00", "increment": "50000.00", "deposit_amount": "100000.00",
            "start_at": start.isoformat(), "end_at": (start + dt.timedelta(hours=2)).isoformat(),
            **kw}  # fmt: skip


def test_the_office_sets_up_changes_and_cancels_a_lot_and_others_are_refused(world, monkeypatch):
    clock = Clock(monkeypatch)
    project = listed_project(world)
    start = clock.at + dt.timedelta(days=1)
    url = f"/api/v1/projects/{project.pk}/lot"
    # Refused by role (403) or by place (404), before anything is read or written.
    for who, status in (("bidder", 403), ("finance", 403), ("unit_officer", 403), ("head", 403),
                        ("outsider_office", 404)):  # fmt: skip
        assert call(_client(world.user(who)), "POST", url, _terms(start)).status_code == status, who
    office = _client(world.user("office"))
    zh = _client(world.user("office"), "zh-hans")
    # Bad terms: each refusal names its field, nothing is written.
    bad = (
        ({"reserve": "1000.00"}, "reserve", "round's reserve"),
        ({"end_at": start.isoformat()}, "end_at", "ends after it opens"),
        ({"kind": "sealed"}, "opens_at", "opening time"),
        ({"kind": "dutch", "price_step": "10000.00", "step_minutes": 5,
          "floor_price": "9000000.00"}, "floor_price", "above the starting price"),
        ({"window_minutes": 2000}, "window_minutes", "at most 1440"),
    )  # fmt: skip
    for change, field, text in bad:
        r = call(office, "POST", url, _terms(start, **change))
        assert r.status_code in (400, 422) and text in str(r.json()["errors"][field]), change
    r = call(zh, "POST", url, _terms(start, reserve="1000.00"))
    assert "保留价" in r.json()["errors"]["reserve"][0]
    assert not Lot.objects.exists()
    # Set up: a hidden reserve, soft close 3 and 4 minutes.
    r = call(office, "POST", url, _terms(start, reserve="6000000.00", reserve_public=False,
                                         window_minutes=3, extension_minutes=4))  # fmt: skip
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["reserve"] is None and body["window_minutes"] == 3 and body["status"] == "scheduled"
    lot = Lot.objects.get(pk=body["id"])
    assert lot.reserve == D("6000000.00") and lot.extension_minutes == 4
    assert call(office, "POST", url, _terms(start)).json()["errors"]["round"]
    # Changed before bidding opens: to a sealed-bid lot (its key made), then a refusal that
    # writes nothing; others may not change it.
    lot_url = f"/api/v1/lots/{lot.pk}"
    for who, status in (("finance", 403), ("outsider_office", 404), ("bidder", 403)):
        r = call(_client(world.user(who)), "PATCH", lot_url, {"increment": "1.00"})
        assert r.status_code == status, who
    opens = (start + dt.timedelta(hours=3)).isoformat()
    r = call(office, "PATCH", lot_url, {"kind": "sealed", "opens_at": opens, "tie_rule": "drawing"})
    assert r.status_code == 200 and (r.json()["kind"], r.json()["tie_rule"]) == (
        "sealed",
        "drawing",
    )
    assert SealedKey.objects.filter(lot=lot).exists()
    r = call(office, "PATCH", lot_url, {"opens_at": start.isoformat()})
    assert r.status_code == 400 and "opens_at" in r.json()["errors"]
    assert Lot.objects.get(pk=lot.pk).opens_at.isoformat() == opens
    r = call(office, "PATCH", lot_url, {"kind": "english", "increment": "20000.00"})
    assert r.status_code == 200 and r.json()["increment"] == "20000.00"
    assert r.json()["reserve"] is None  # the reserve stays hidden; a new kind: the round's
    assert Lot.objects.get(pk=lot.pk).reserve == D("5500000.00")
    # A registered bidder fixes the deposit; cancelling refunds the deposit finance holds.
    clock.move(days=1, minutes=-5)
    registered(world, lot)
    r = call(office, "PATCH", lot_url, {"deposit_amount": "1.00"})
    assert r.status_code == 400 and "deposit_amount" in r.json()["errors"]
    assert call(office, "POST", f"{lot_url}/cancel", {"reason": ""}).status_code in (400, 422)
    assert call(_client(world.user("finance")), "POST", f"{lot_url}/cancel",
                {"reason": "No."}).status_code == 403  # fmt: skip
    # A deposit declared paid but not confirmed stops the cancel until finance confirms it.
    pending = registered(world, lot, confirmed=False, name="Pending Person")
    r = call(office, "POST", f"{lot_url}/cancel", {"reason": "The asset was withdrawn."})
    assert r.status_code == 400 and "Pending Person" in r.json()["errors"]["deposits"][0]
    assert Lot.objects.get(pk=lot.pk).status == "scheduled"
    deposit_transition(actor=world.user("finance"), action="confirm",
                       deposit=Deposit.objects.get(party__user=pending))  # fmt: skip
    r = call(office, "POST", f"{lot_url}/cancel", {"reason": "The asset was withdrawn."})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    deposits = Deposit.objects.filter(registration__lot=lot)
    assert sorted(deposits.values_list("status", flat=True)) == ["refunded", "refunded"]
    assert AuditEntry.objects.filter(action="lot.cancel").count() == 1
    assert AuditEntry.objects.filter(action="lot.update").count() == 2


def test_a_lot_whose_bidding_has_opened_cannot_be_changed_or_cancelled(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world, start=timezone.now() - dt.timedelta(minutes=5))
    office = _client(world.user("office"))
    r = call(office, "PATCH", f"/api/v1/lots/{lot.pk}", {"increment": "1.00"})
    assert r.status_code == 400 and "before bidding opens" in r.json()["errors"]["status"][0]
    r = call(office, "POST", f"/api/v1/lots/{lot.pk}/cancel", {"reason": "Too late."})
    assert r.status_code == 400 and "before bidding opens" in r.json()["errors"]["status"][0]
    assert Lot.objects.get(pk=lot.pk).status == "scheduled"  # no bid yet: opened by the clock
    user = registered(world, lot)
    call(_client(user), "POST", f"/api/v1/lots/{lot.pk}/bids", {"amount": "5500000.00"})
    r = call(office, "POST", f"/api/v1/lots/{lot.pk}/cancel", {"reason": "Too late."})
    assert r.status_code == 400 and Lot.objects.get(pk=lot.pk).status == "open"
