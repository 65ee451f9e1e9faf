"""The award queue through the services: the ranked result forms the queue, the winner is the
registered bidder on the deal with the deal's payment day to sign and pay; signing applies their
deposit and refunds the rest; a default forfeits the defaulter's deposit and passes the deal to
the runner-up at their own price; with no one left the lot lapses. At most one award of a lot is
ever active, and deposits move only along finance's transition table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.auctions import awards, bidding, services
from panhuo.auctions.models import Award, AwardStatus, Lot, LotStatus
from panhuo.auctions.tests.support import Clock, make_lot, registered
from panhuo.core.errors import ValidationError
from panhuo.disposal.models import DisposalProject
from panhuo.finance.deposits.models import Deposit
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import Operator
from panhuo.organisation.policy import NotPermitted

D = Decimal
#: Finance's deposit table as (before, after) status pairs (None: created).
DEPOSIT_MOVES = {
    (None, "due"), ("due", "paid"), ("paid", "held"),
    ("held", "refunded"), ("held", "forfeited"), ("held", "applied"),
}  # fmt: skip


def bid(user, lot, amount):
    return bidding.bid_place(actor=user, lot_id=lot.pk, amount=amount)


def awarded(world, monkeypatch, *, idle: bool = True):
    """A lot won by B at 5.75 m over C (5.70 m) and A (5.60 m); D registered and never bid."""
    clock = Clock(monkeypatch)
    lot = make_lot(world)
    a, b = registered(world, lot, name="Alice Wang"), registered(world, lot, name="Bo Li")
    c = registered(world, lot, name="Chen Co")
    if idle:
        registered(world, lot, name="Du Idle")
    bid(a, lot, "5600000.00")
    bid(b, lot, "6000000.00")
    bid(c, lot, "5700000.00")
    clock.move(hours=2)
    [closed] = services.close_due()
    return services.lot_award(actor=world.user("office"), lot=closed)


def deposit_of(lot, name) -> Deposit:
    return Deposit.objects.get(round=lot.round, bidder=name)


def offered(lot) -> Award:
    return Award.objects.get(lot=lot, status=AwardStatus.OFFERED)


def test_the_award_forms_the_queue_and_names_the_registered_buyer(world, monkeypatch):
    lot = awarded(world, monkeypatch)
    queue = list(Award.objects.filter(lot=lot).select_related("registration__bidder"))
    assert [(a.rank, a.registration.bidder.name, a.price, a.status) for a in queue] == [
        (1, "Bo Li", D("5750000.00"), "offered"),
        (2, "Chen Co", D("5700000.00"), "queued"),
        (3, "Alice Wang", D("5600000.00"), "queued"),
    ]
    project = DisposalProject.objects.get(pk=lot.round.project_id)
    assert project.buyer_party == queue[0].registration.bidder and project.buyer == "Bo Li"
    assert queue[0].due_on == project.due_on and project.due_on > queue[0].offered_on
    assert deposit_of(lot, "Du Idle").status == "refunded"
    assert {deposit_of(lot, n).status for n in ("Bo Li", "Chen Co", "Alice Wang")} == {"held"}
    assert AuditEntry.objects.filter(action="award.queue").count() >= 3


def test_signing_applies_the_winners_deposit_and_refunds_the_queue(world, monkeypatch):
    lot = awarded(world, monkeypatch)
    with pytest.raises(ValidationError) as exc:
        awards.award_sign(actor=world.user("office"), award=offered(lot), contract_no=" ")
    assert "contract_no" in exc.value.message_dict
    with pytest.raises(NotPermitted):
        awards.award_sign(actor=world.user("finance"), award=offered(lot), contract_no="C-1")
    award = awards.award_sign(actor=world.user("office"), award=offered(lot), contract_no="C-1")
    assert award.status == "signed" and award.contract_no == "C-1"
    assert deposit_of(lot, "Bo Li").status == "applied"
    assert {deposit_of(lot, n).status for n in ("Chen Co", "Alice Wang")} == {"refunded"}
    assert set(Award.objects.filter(lot=lot).values_list("status", flat=True)) == {
        "signed", "released"
    }  # fmt: skip
    with pytest.raises(ValidationError):
        awards.award_sign(actor=world.user("office"), award=award, contract_no="C-2")
    with pytest.raises(ValidationError):
        awards.award_default(actor=world.user("office"), award=award, reason="late")


def test_a_default_forfeits_and_passes_the_deal_to_the_runner_up(world, monkeypatch):
    lot = awarded(world, monkeypatch, idle=False)
    first = offered(lot)
    assert awards.defaults_due(actor=Operator("cron"), today=first.due_on) == []
    [done] = awards.defaults_due(actor=Operator("cron"), today=first.due_on + dt.timedelta(1))
    assert done.pk == first.pk and done.status == "defaulted"
    assert deposit_of(lot, "Bo Li").status == "forfeited"
    second = offered(lot)
    assert second.registration.bidder.name == "Chen Co" and second.price == D("5700000.00")
    project = DisposalProject.objects.get(pk=lot.round.project_id)
    assert (project.buyer, project.deal_price) == ("Chen Co", D("5700000.00"))
    assert project.buyer_party == second.registration.bidder
    live = project.expected_receipts.filter(cancelled=False)
    assert [(r.amount, r.due_date) for r in live] == [(D("5700000.00"), second.due_on)]
    assert project.expected_receipts.filter(cancelled=True, amount=D("5750000.00")).exists()
    assert project.rounds.get(result="sold").buyer == "Chen Co"
    entry = AuditEntry.objects.get(action="project.deal_reassign", object_id=str(project.pk))
    assert "Not signed and paid" in entry.after["reason"]


def test_the_office_records_a_default_and_an_empty_queue_lapses_the_lot(world, monkeypatch):
    lot = awarded(world, monkeypatch, idle=False)
    office = world.user("office")
    with pytest.raises(ValidationError) as exc:
        awards.award_default(actor=office, award=offered(lot), reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(NotPermitted):
        awards.award_default(actor=world.user("auditor"), award=offered(lot), reason="late")
    for _ in range(3):
        awards.award_default(actor=office, award=offered(lot), reason="Refused to sign")
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.FAILED
    assert not Award.objects.filter(lot=lot, status__in=["offered", "signed"]).exists()
    assert {d.status for d in Deposit.objects.filter(round=lot.round)} == {"forfeited"}
    assert AuditEntry.objects.filter(action="lot.lapse", object_id=str(lot.pk)).exists()


def _moves(deposit: Deposit) -> set[tuple]:
    entries = AuditEntry.objects.filter(
        object_id=str(deposit.pk), action__startswith="deposit."
    ).order_by("pk")
    return {((e.before or {}).get("status"), (e.after or {}).get("status")) for e in entries}


@settings(
    max_examples=4, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(steps=st.lists(st.sampled_from(["sign", "default", "default_any", "sign_any"]),
                      max_size=5))  # fmt: skip
def test_at_most_one_active_award_and_deposits_keep_to_their_table(world, monkeypatch, steps):
    lot = awarded(world, monkeypatch)
    office = world.user("office")
    for step in steps:
        pool = Award.objects.filter(lot=lot)
        target = pool.filter(status="offered").first() if step in ("sign", "default") else None
        target = target or pool.order_by("?").first()
        try:
            if step.startswith("sign"):
                awards.award_sign(actor=office, award=target, contract_no=f"C-{target.pk}")
            else:
                awards.award_default(actor=office, award=target, reason="Did not sign")
        except ValidationError:
            pass
        active = Award.objects.filter(lot=lot, status__in=["offered", "signed"]).count()
        assert active <= 1
        assert active == 1 or Lot.objects.get(pk=lot.pk).status == LotStatus.FAILED
    for d in Deposit.objects.filter(round=lot.round):
        assert _moves(d) <= DEPOSIT_MOVES, d
