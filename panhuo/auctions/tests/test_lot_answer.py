"""A bid's answer is written without validating the lot's state through ``LotOut`` again
(api.lot_answer_data): it must be the very text the schema would write, for every kind of lot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.test import RequestFactory
from django.utils import timezone

from panhuo.api import api
from panhuo.auctions import selectors
from panhuo.auctions.api import LotOut, lot_answer_data
from panhuo.auctions.tests.support import make_lot, registered
from panhuo.auctions.tests.test_dutch import dutch_lot
from panhuo.auctions.tests.test_sealed import sealed_lot
from panhuo.organisation.services import api_token_create


class _Clock:
    at = timezone.now()


def _both(state: dict) -> tuple[bytes, bytes]:
    request = RequestFactory().get("/")
    schema = LotOut.model_validate(state).model_dump()
    return (api.create_response(request, lot_answer_data(state), status=200).content,
            api.create_response(request, schema, status=200).content)  # fmt: skip


def test_the_answer_is_the_schemas_for_every_kind_of_lot(world):
    english = make_lot(world, reserve=D("6000000.00"), reserve_public=False)
    public = make_lot(world, start=timezone.now() + dt.timedelta(hours=1))
    lots = [english, public, dutch_lot(world, _Clock), sealed_lot(world, _Clock)]
    for lot in lots:
        state = selectors.public_lot_state(lot)
        ours, schemas = _both(state)
        assert ours == schemas, lot.kind
    # Amounts without cents (as SQLite's sums come back), microseconds and the optional
    # fields set: every money field is written with cents, as the schema writes it.
    state = selectors.public_lot_state(lots[2])
    money = {k: D("12") for k, v in state.items() if isinstance(v, D)}
    state.update(money, reserve=D("7"), opens_at=timezone.now(), step_minutes=3)
    ours, schemas = _both(state)
    assert ours == schemas and b'"12.00"' in ours and b'"7.00"' in ours


def test_a_bid_answers_the_lot_as_its_page_in_the_api_does(world, client):
    lot = make_lot(world)
    user = registered(world, lot)
    key = api_token_create(actor=user, user=user, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    placed = client.post(f"/api/v1/lots/{lot.pk}/bids", {"amount": "5600000.00"},
                         content_type="application/json", **auth)  # fmt: skip
    assert placed.status_code == 200 and placed["Content-Type"] == "application/json; charset=utf-8"
    read = client.get(f"/api/v1/lots/{lot.pk}", **auth).json()
    answer = placed.json()
    assert answer.pop("server_time") <= read.pop("server_time")
    assert answer == read and answer["price"] == "5500000.00" and answer["bids"] == 1
