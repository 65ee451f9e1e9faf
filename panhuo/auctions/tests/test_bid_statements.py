"""The bid path's statements: a bid through the API with a token costs a fixed, small number of
database statements (each one a round trip under the lot's lock on PostgreSQL), and the audit
chain it appends to stays whole. A regression guard on the count, not a timing: a change that
reads the bidder again, re-reads the locked lot or writes rows one by one fails here."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from panhuo.auctions.models import Bid
from panhuo.auctions.tests.support import make_lot, registered
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_verify
from panhuo.organisation.services import api_token_create

#: A bid through ``POST /api/v1/lots/{id}/bids`` with a token, the token's use already noted:
#: throttle check, token and user, bidder, [BEGIN], the lot locked with the registration and
#: deposit, the audit head, then the bid rows, the lot, the audit entry and the head's move in
#: one statement on PostgreSQL (four on SQLite), [COMMIT] (the test's savepoint stands for the
#: transaction). Was 18 before issue 16's work; 10 on PostgreSQL before the writes went
#: together with the audit entry.
MOST = {"postgresql": 8, "sqlite": 11}


def _post(client, lot, key, amount):
    return client.post(
        f"/api/v1/lots/{lot.pk}/bids", {"amount": str(amount)},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
    )  # fmt: skip


def test_a_bid_through_the_api_costs_a_fixed_few_statements(world, client):
    lot = make_lot(world)
    users = [registered(world, lot) for _ in range(2)]
    keys = [api_token_create(actor=u, user=u, name="bench")[1] for u in users]
    # The first bid opens the lot (its own audited step); each token's first use is noted.
    assert _post(client, lot, keys[0], Decimal("5600000.00")).status_code == 200
    assert _post(client, lot, keys[1], Decimal("1")).status_code == 400
    amount, counts = Decimal("5600000.00"), []
    for i in range(4):  # alternating bidders: each bid outbids the other's proxy maximum
        amount += Decimal("100000.00")
        with CaptureQueriesContext(connection) as queries:
            response = _post(client, lot, keys[(i + 1) % 2], amount)
        assert response.status_code == 200, response.content
        counts.append(len(queries))
    assert max(counts) <= MOST[connection.vendor], counts
    lot.refresh_from_db()
    assert Bid.objects.filter(lot=lot).count() == lot.bid_count == 9  # 5 bids, 4 proxy bids
    entries = AuditEntry.objects.filter(action="lot.bid", object_id=str(lot.pk))
    assert entries.count() == 5
    assert entries.first().after["price"] == str(lot.price) == response.json()["price"]
    assert audit_verify().ok


def test_a_refused_bid_names_a_missing_lot_as_missing(world, client):
    """The bid route reads the lot only under its lock now: a missing lot is still 404."""
    lot = make_lot(world)
    user = registered(world, lot)
    key = api_token_create(actor=user, user=user, name="bench")[1]
    lot.pk = 10**9
    response = _post(client, lot, key, Decimal("6000000.00"))
    assert response.status_code == 404, response.content
