"""Lots and bids through the services: setup respects the round (reserve, disclosure), only a
verified, registered bidder with a confirmed deposit bids, refusals give the reason in the
bidder's language, bids are append-only, the soft close extends the end, the close records the
result and the award records the deal through disposal's own step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from panhuo.auctions import bidding, services
from panhuo.auctions.models import Bid, Lot, LotStatus
from panhuo.auctions.refusals import Refused
from panhuo.auctions.selectors import public_history, public_lot_state
from panhuo.auctions.tests.support import Clock, listed_project, make_bidder, make_lot, registered
from panhuo.core.errors import ValidationError
from panhuo.core.gates import GateRefused
from panhuo.disposal.models import DisposalProject
from panhuo.finance.deposits.models import Deposit
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted

D = Decimal


def bid(user, lot, amount):
    return bidding.bid_place(actor=user, lot_id=lot.pk, amount=amount)


def refused(user, lot_id, amount) -> str:
    with pytest.raises(Refused) as exc:
        bidding.bid_place(actor=user, lot_id=lot_id, amount=amount)
    return exc.value.reason


def test_setup_takes_the_rounds_reserve_and_refuses_one_below_it(world):
    project = listed_project(world)
    with pytest.raises(ValidationError) as exc:
        make_lot(world, project, reserve=D("5000000.00"))
    assert "reserve" in exc.value.message_dict
    lot = make_lot(world, project)
    assert lot.reserve == D("5500000.00") and lot.status == LotStatus.SCHEDULED
    assert (lot.window_minutes, lot.extension_minutes) == (5, 5)
    with pytest.raises(ValidationError):
        make_lot(world, project)  # one lot per round


def test_setup_is_the_offices(world):
    with pytest.raises(NotPermitted):
        services.lot_create(
            actor=world.user("finance"), round=listed_project(world).rounds.get(),
            start_price="1.00", increment="1.00", start_at=dt.datetime.now(dt.UTC),
            end_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )  # fmt: skip


def test_bidding_cannot_open_during_the_disclosure_period(world):
    project = listed_project(world)
    r = project.rounds.get()
    # Listed today: the disclosure (20 working days) has not run.
    type(r).objects.filter(pk=r.pk).update(listed_on=dt.date.today(), disclosure_ends=None)
    with pytest.raises(GateRefused):
        make_lot(world, DisposalProject.objects.get(pk=project.pk))


def test_a_verified_bidder_with_a_confirmed_deposit_bids_and_leads(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a = registered(world, lot)
    lot = bid(a, lot, "5600000.00")
    assert lot.status == LotStatus.OPEN and lot.price == D("5500000.00")
    assert lot.leader.bidder.user == a
    b = registered(world, lot)
    clock.move(seconds=10)
    lot = bid(b, lot, "5700000.00")
    # a's maximum 5.6 m stands against b's 5.7 m: b leads one increment above it.
    assert lot.price == D("5650000.00") and lot.leader.bidder.user == b
    assert list(lot.bids.values_list("seq", "amount", "kind")) == [
        (1, D("5500000.00"), "bid"), (2, D("5600000.00"), "proxy"), (3, D("5650000.00"), "bid"),
    ]  # fmt: skip
    actions = AuditEntry.objects.filter(object_id=str(lot.pk), object_type="auctions.lot").order_by(
        "seq"
    )
    assert list(actions.values_list("action", flat=True)) == [
        "lot.create", "lot.open", "lot.bid", "lot.bid",
    ]  # fmt: skip


def test_refusals_name_the_reason_in_the_bidders_language(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a = registered(world, lot)
    bid(a, lot, "5500000.00")
    b = registered(world, lot)
    assert refused(b, lot.pk, "5520000.00") == "too_low"
    assert refused(b, lot.pk, "abc") == "amount"
    assert refused(b, lot.pk, "-5") == "amount"
    assert refused(b, lot.pk, "5600000.001") == "amount"
    assert refused(b, 999999, "5600000.00") == "no_lot"
    assert refused(b, "1; DROP TABLE", "5600000.00") == "no_lot"
    unregistered, _ = make_bidder(world)
    assert refused(unregistered, lot.pk, "5600000.00") == "not_registered"
    assert refused(world.user("office"), lot.pk, "5600000.00") == "unregistered"
    pending, _ = make_bidder(world, status="pending")
    assert refused(pending, lot.pk, "5600000.00") == "not_verified"
    unconfirmed = registered(world, lot, confirmed=False)
    assert refused(unconfirmed, lot.pk, "5600000.00") == "no_deposit"
    clock.move(hours=2)
    assert refused(b, lot.pk, "9000000.00") == "closed"
    with translation.override("zh-hans"), pytest.raises(Refused) as exc:
        bid(b, lot, "9000000.00")
    assert exc.value.message_dict["lot"][0] != "Bidding on this lot has closed."
    with translation.override("en"), pytest.raises(Refused) as exc:
        bid(b, Lot.objects.get(pk=lot.pk), "1.00")
    assert exc.value.message_dict == {"lot": ["Bidding on this lot has closed."]}
    assert Bid.objects.filter(lot=lot).count() == 1


def test_too_low_says_the_minimum(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    a, b = registered(world, lot), registered(world, lot)
    bid(a, lot, "5500000.00")
    with translation.override("en"), pytest.raises(Refused) as exc:
        bid(b, lot, "5540000.00")
    assert "5,550,000.00" in exc.value.message_dict["amount"][0]


def test_a_bid_in_the_last_minutes_extends_the_end(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world, minutes=30)
    a, b = registered(world, lot), registered(world, lot)
    end = lot.end_at
    clock.at = end - dt.timedelta(minutes=6)
    lot = bid(a, lot, "5500000.00")
    assert lot.end_at == end and lot.extensions == 0
    clock.at = end - dt.timedelta(seconds=30)
    lot = bid(b, lot, "5600000.00")
    assert lot.end_at == end + dt.timedelta(minutes=5) and lot.extensions == 1
    assert AuditEntry.objects.filter(action="lot.extend", object_id=str(lot.pk)).count() == 1
    # After the original end, before the new one: still open.
    clock.at = end + dt.timedelta(minutes=1)
    assert services.close_due() == []
    lot = bid(a, lot, "5800000.00")
    assert lot.leader.bidder.user == a
    clock.at = lot.end_at
    assert refused(b, lot.pk, "9000000.00") == "closed"


def test_bids_are_append_only(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world)
    bid(registered(world, lot), lot, "5500000.00")
    row = Bid.objects.get(lot=lot)
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        Bid.objects.filter(pk=row.pk).update(amount=D("1.00"))
    with pytest.raises(TypeError):
        Bid.objects.filter(pk=row.pk).delete()
    # The database itself refuses an UPDATE, whatever the application does.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE auctions_bid SET amount = 1 WHERE id = %s", [row.pk])
    assert Bid.objects.get(pk=row.pk).amount == D("5500000.00")


def test_close_awards_through_the_projects_deal_and_publishes_the_history(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a, b = registered(world, lot, name="Alice Wang"), registered(world, lot, name="Bo Li")
    bid(a, lot, "5600000.00")
    bid(b, lot, "6000000.00")
    assert public_history(Lot.objects.get(pk=lot.pk)) == []
    clock.move(hours=2)
    [closed] = services.close_due()
    assert closed.status == LotStatus.CLOSED and closed.bidders == 2 and not closed.single_bidder
    lot = services.lot_award(actor=world.user("office"), lot=closed)
    assert lot.status == LotStatus.AWARDED
    project = DisposalProject.objects.get(pk=lot.round.project_id)
    assert project.status == "concluded" and project.buyer == "Bo Li"
    assert project.deal_price == D("5650000.00")
    assert project.expected_receipts.exists()
    history = public_history(lot)
    assert [h["bidder"] for h in history] == ["Bidder 1", "Bidder 1", "Bidder 2"]
    assert all("Alice" not in str(h) and "Bo Li" not in str(h) for h in history)


def test_no_bid_or_reserve_not_met_fails(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world, start_price=D("5000000.00"), reserve_public=False)
    a = registered(world, lot)
    lot = bid(a, lot, "5100000.00")
    state = public_lot_state(lot)
    assert state["reserve"] is None and state["reserve_met"] is False
    clock.move(hours=2)
    [done] = services.close_due()
    assert done.status == LotStatus.FAILED
    with pytest.raises(ValidationError):
        services.lot_award(actor=world.user("office"), lot=done)


def test_one_qualified_bidder_is_flagged(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    bid(registered(world, lot), lot, "5500000.00")
    clock.move(hours=2)
    [done] = services.close_due()
    assert done.single_bidder and done.bidders == 1
    entry = AuditEntry.objects.get(action="lot.close", object_id=str(lot.pk))
    assert entry.after["flag"] == "single_bidder"


def test_a_priority_holder_matches_the_top_bid_before_the_award(world, monkeypatch):
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a, holder = registered(world, lot), registered(world, lot, name="Tenant Co")
    reg = lot.registrations.get(bidder__user=holder)
    services.registration_set_priority(actor=world.user("office"), registration=reg, holder=True)
    bid(a, lot, "5800000.00")
    with pytest.raises(Refused) as exc:
        bidding.priority_match(actor=holder, lot_id=lot.pk)
    assert exc.value.reason == "not_closed"
    clock.move(hours=2)
    services.close_due()
    lot = bidding.priority_match(actor=holder, lot_id=lot.pk)
    assert lot.leader_id == reg.pk and lot.price == D("5500000.00")
    with pytest.raises(Refused):
        bidding.priority_match(actor=a, lot_id=lot.pk)
    lot = services.lot_award(actor=world.user("office"), lot=lot)
    assert DisposalProject.objects.get(pk=lot.round.project_id).buyer == "Tenant Co"


def test_registration_opens_a_due_deposit_for_the_bidder(world, monkeypatch):
    Clock(monkeypatch)
    lot = make_lot(world, listed_project(world, conditions="Registered in the province"))
    user, bidder = make_bidder(world)
    with pytest.raises(Refused) as exc:
        services.lot_register(actor=user, lot_id=lot.pk)
    assert exc.value.reason == "conditions"
    reg = services.lot_register(actor=user, lot_id=lot.pk, accept_conditions=True)
    d = Deposit.objects.get(pk=reg.deposit_id)
    assert (d.status, d.party, d.bidder, d.amount) == ("due", bidder, bidder.name, D("100000.00"))
    with pytest.raises(Refused):
        services.lot_register(actor=user, lot_id=lot.pk, accept_conditions=True)


def test_a_registered_bidders_deposit_replays_from_its_audit(world, monkeypatch):
    """Due, declared paid and confirmed through the services: the deposit's row is what its
    audit entries replay to (``panhuo audit reconcile``)."""
    from panhuo.integrity import reconcile as rc

    assert "finance.deposit" in {label for label, _spec in rc.registered()}
    Clock(monkeypatch)
    lot = make_lot(world)
    registered(world, lot)
    d = Deposit.objects.get(round=lot.round)
    assert (d.status, d.voucher) == ("held", f"V-{lot.pk}-{d.party.user_id}")
    assert [x for x in rc.reconcile().differences if x.table == Deposit._meta.db_table] == []
