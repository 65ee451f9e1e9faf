"""A lot past its end closes when it is bid on or viewed, not only when the worker runs: the
same service as the worker's (``lot_close_if_due``), its own transaction, the system's act in
the audit log; the bid itself is still refused as after the close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from panhuo.auctions import bidding, live
from panhuo.auctions.models import Lot, LotStatus
from panhuo.auctions.refusals import Refused
from panhuo.auctions.tests.support import Clock, make_lot, registered
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.services import api_token_create


def _closes(lot) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="lot.close", object_id=str(lot.pk)))


def test_a_bid_after_the_end_is_refused_and_closes_the_lot(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a, b = registered(world, lot), registered(world, lot)
    bidding.bid_place(actor=a, lot_id=lot.pk, amount="5600000.00")
    clock.at = lot.end_at + dt.timedelta(seconds=1)
    with pytest.raises(Refused) as exc:
        bidding.bid_place(actor=b, lot_id=lot.pk, amount="6000000.00")
    assert exc.value.reason == "closed"
    lot.refresh_from_db()
    assert lot.status == LotStatus.CLOSED and lot.closed_at == clock.at and lot.bid_count == 1
    [entry] = _closes(lot)
    assert entry.actor_id is None and entry.actor_name == "system"
    with pytest.raises(Refused):  # refused again, closed once
        bidding.bid_place(actor=b, lot_id=lot.pk, amount="6000000.00")
    assert len(_closes(lot)) == 1


def test_viewing_a_lot_after_its_end_closes_it_page_api_and_stream(world, monkeypatch):
    clock = Clock(monkeypatch)
    lots = [make_lot(world, minutes=30) for _ in range(3)]
    user = registered(world, lots[0])
    key = api_token_create(actor=user, user=user, name="view")[1]
    page, client = Client(), Client()
    page.force_login(user)
    views = [
        lambda lot: page.get(reverse("lot-detail", args=[lot.pk])),
        lambda lot: client.get(f"/api/v1/lots/{lot.pk}", HTTP_AUTHORIZATION=f"Bearer {key}"),
        lambda lot: page.get(reverse("lot-live", args=[lot.pk])),
    ]
    for lot, view in zip(lots[:2], views[:2], strict=True):
        assert view(lot).status_code == 200  # before the end: nothing changes
        assert Lot.objects.get(pk=lot.pk).status == LotStatus.SCHEDULED
    clock.at = lots[0].end_at + dt.timedelta(minutes=1)
    monkeypatch.setattr(live, "_open_streams", 0)
    for lot, view in zip(lots, views, strict=True):
        response = view(lot)
        assert response.status_code == 200
        # No bid came: the lot never opened, so it failed (the worker's own outcome).
        assert Lot.objects.get(pk=lot.pk).status == LotStatus.FAILED, lot.pk
    assert AuditEntry.objects.filter(action="lot.fail", actor__isnull=True).count() == 3
    assert response.status_code == 200 and b'"failed"' in b"".join(response.streaming_content)
