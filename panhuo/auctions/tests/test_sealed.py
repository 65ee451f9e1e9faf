"""Sealed-bid lots: a bid is sealed when received and no one — any role, through the service,
the API or the pages — reads an amount before the opening; every early attempt is refused with
the reason and recorded; two different officers open it after the opening time; the highest
bid wins and a tie goes by the notice's rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.auctions import bidding, sealed
from panhuo.auctions.models import Bid, Lot, LotStatus, SealedBid, SealedKey
from panhuo.auctions.refusals import Refused
from panhuo.auctions.selectors import lots_for
from panhuo.auctions.services import close_due, lot_award
from panhuo.auctions.tests.support import Clock, make_lot, registered
from panhuo.core.tests.api_support import call, client_for
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted

D = Decimal
AMOUNTS = ("5612345.67", "5798765.43", "5700001.09")
#: Every staff role and the outsiders (a bidder is tried as well, below).
READERS = ("head", "deputy", "office", "office2", "finance", "auditor", "supervisor",
           "unit_officer", "other_unit_officer", "norole", "outsider_office")  # fmt: skip


def sealed_lot(w, clock, *, tie_rule="earliest", **kw):
    start = clock.at - dt.timedelta(minutes=1)
    return make_lot(
        w, kind="sealed", increment=None, start=start, minutes=60,
        opens_at=start + dt.timedelta(minutes=90), tie_rule=tie_rule, **kw,
    )  # fmt: skip


def seal(user, lot, amount):
    return sealed.sealed_bid_place(actor=user, lot_id=lot.pk, amount=amount)


@pytest.fixture
def three(world, monkeypatch):
    """A sealed lot with three sealed bids (AMOUNTS), before the opening."""
    clock = Clock(monkeypatch)
    lot = sealed_lot(world, clock)
    users = []
    for amount in AMOUNTS:
        user = registered(world, lot)
        clock.move(seconds=5)
        seal(user, lot, amount)
        users.append(user)
    return clock, Lot.objects.get(pk=lot.pk), users


def _open(world, clock, lot):
    clock.at = lot.opens_at + dt.timedelta(minutes=1)
    sealed.opening_confirm(actor=world.user("office"), lot_id=lot.pk)
    return sealed.opening_confirm(actor=world.user("office2"), lot_id=lot.pk)


def _visible_anywhere(lot, amount: str) -> bool:
    """Whether ``amount`` can be found in the lot's rows or the audit log (as text)."""
    plain = {amount, amount.replace(".", ""), f"{D(amount):,.2f}"}
    texts = [str(AuditEntry.objects.filter(object_id=str(lot.pk)).values_list("before", "after"))]
    for s in SealedBid.objects.filter(lot=lot):
        texts.append(bytes(s.ciphertext).decode("latin-1") + s.digest)
    texts.append(str(Lot.objects.filter(pk=lot.pk).values().get()))
    texts.append(str(list(Bid.objects.filter(lot=lot).values("amount", "maximum"))))
    return any(p in t for p in plain for t in texts)


def test_a_sealed_bid_is_stored_sealed_and_the_bidder_gets_a_receipt(three, world):
    _clock, lot, users = three
    assert SealedBid.objects.filter(lot=lot).count() == 3
    for amount in AMOUNTS:
        assert not _visible_anywhere(lot, amount)
    # No price, no bid row, no count before the opening.
    assert lot.price is None and lot.bid_count == 0 and not Bid.objects.filter(lot=lot).exists()
    c = client_for(world, "office")
    c.force_login(users[0])
    mine = c.get(f"/api/v1/lots/{lot.pk}/sealed-receipt").json()
    assert len(mine) == 1 and mine[0]["digest"] == SealedBid.objects.get(
        registration__bidder__user=users[0]).digest  # fmt: skip
    assert "amount" not in mine[0]
    page = c.get(lot.get_absolute_url())
    assert "Your sealed bid was received" in page.text and mine[0]["digest"] in page.text
    others = SealedBid.objects.exclude(registration__bidder__user=users[0])
    assert all(s.digest not in page.text for s in others)
    for amount in AMOUNTS:
        assert f"{D(amount):,.2f}" not in page.text


def test_a_bidder_seals_once_at_or_above_the_start_and_cannot_bid_in_the_open(three, world):
    clock, lot, users = three
    with pytest.raises(Refused) as exc:
        seal(users[0], lot, "9000000.00")
    assert exc.value.reason == "already_sealed"
    late = registered(world, lot)
    with pytest.raises(Refused) as exc:
        seal(late, lot, "100.00")
    assert exc.value.reason == "sealed_too_low"
    with pytest.raises(Refused) as exc:
        bidding.bid_place(actor=late, lot_id=lot.pk, amount="9000000.00")
    assert exc.value.reason == "sealed_only"
    clock.at = lot.end_at
    with pytest.raises(Refused) as exc:
        seal(late, lot, "6000000.00")
    assert exc.value.reason == "closed"
    assert SealedBid.objects.filter(lot=lot).count() == 3


def test_sealed_bids_are_append_only_in_the_database(three):
    _clock, lot, _users = three
    s = SealedBid.objects.filter(lot=lot).first()
    with pytest.raises(TypeError):
        s.save()
    with pytest.raises(TypeError):
        SealedBid.objects.filter(pk=s.pk).update(digest="x")
    table = SealedBid._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET digest = 'x' WHERE id = %s", [s.pk])  # noqa: S608


@per_caller(READERS)
def test_no_role_reads_an_amount_before_the_opening_and_each_attempt_is_recorded(three, world, who):
    _clock, lot, _users = three
    user = world.user(who)
    before = AuditEntry.objects.filter(action="lot.sealed_read_refused").count()
    with pytest.raises(PermissionDenied) as exc:
        sealed.sealed_read(actor=user, lot=lot)
    assert "cannot be read before they are opened" in str(exc.value)
    after = AuditEntry.objects.filter(action="lot.sealed_read_refused")
    assert after.count() == before + 1
    assert after.order_by("-seq").first().actor_id == user.pk
    c = client_for(world, who)
    r = c.get(f"/api/v1/lots/{lot.pk}/sealed-bids")
    assert r.status_code in (403, 404)
    for amount in AMOUNTS:
        assert amount not in r.text
    r = c.get(reverse("lot-sealed", args=[lot.pk]))
    assert r.status_code in (403, 404)


def test_the_refusal_is_in_the_callers_language_on_the_api_and_the_page(three, world):
    _clock, lot, _users = three
    r = client_for(world, "head", headers={"accept-language": "zh-hans"}).get(
        f"/api/v1/lots/{lot.pk}/sealed-bids"
    )
    assert r.status_code == 403 and "开标前不能读取密封报价" in r.json()["detail"]
    r = client_for(world, "office").get(reverse("lot-sealed", args=[lot.pk]))
    assert r.status_code == 403 and "This attempt has been recorded" in r.text
    vias = set(
        AuditEntry.objects.filter(action="lot.sealed_read_refused").values_list(
            "after__via", flat=True
        )
    )
    assert vias == {"api", "page"}


def test_a_bidder_cannot_read_the_others_amounts_before_the_opening(three, world):
    _clock, lot, users = three
    with pytest.raises(NotPermitted):
        sealed.sealed_read(actor=users[1], lot=lot)
    c = client_for(world, "office")
    c.force_login(users[1])
    assert c.get(f"/api/v1/lots/{lot.pk}/sealed-bids").status_code == 403


def test_opening_needs_the_time_and_two_different_officers(three, world):
    clock, lot, _users = three
    office, office2 = world.user("office"), world.user("office2")
    with pytest.raises(Refused) as exc:  # bidding still runs
        sealed.opening_confirm(actor=office, lot_id=lot.pk)
    assert exc.value.reason == "opening_early"
    clock.at = lot.end_at + dt.timedelta(minutes=1)  # closed, before the opening time
    with pytest.raises(Refused) as exc:
        sealed.opening_confirm(actor=office, lot_id=lot.pk)
    assert exc.value.reason == "opening_early"
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.CLOSED
    assert AuditEntry.objects.filter(action="lot.opening_refused").count() == 2
    with pytest.raises(NotPermitted):
        sealed.opening_confirm(actor=world.user("head"), lot_id=lot.pk)
    with pytest.raises(NotPermitted):
        sealed.opening_confirm(actor=world.user("outsider_office"), lot_id=lot.pk)
    clock.at = lot.opens_at
    sealed.opening_confirm(actor=office, lot_id=lot.pk)
    with pytest.raises(Refused) as exc:
        sealed.opening_confirm(actor=office, lot_id=lot.pk)
    assert exc.value.reason == "same_officer"
    assert not SealedKey.objects.get(lot=lot).opened
    with pytest.raises(PermissionDenied):
        sealed.sealed_read(actor=office, lot=lot)
    sealed.opening_confirm(actor=office2, lot_id=lot.pk)
    lot = Lot.objects.get(pk=lot.pk)
    assert lot.price == D("5798765.43") and lot.status == LotStatus.CLOSED
    assert lot.leader.bidder.user == three[2][1]
    rows = sealed.sealed_read(actor=office, lot=lot, names=True)
    assert [r["amount"] for r in rows] == [D(a) for a in AMOUNTS]
    assert [r["winner"] for r in rows] == [False, True, False]
    with pytest.raises(Refused) as exc:
        sealed.opening_confirm(actor=office, lot_id=lot.pk)
    assert exc.value.reason == "already_opened"
    opened = AuditEntry.objects.get(action="lot.open_sealed")
    assert opened.after["price"] == "5798765.43"
    assert sorted(opened.after["officers"]) == sorted([office.pk, office2.pk])
    # The released key re-opens every ciphertext: anyone may check the result.
    key = SealedKey.objects.get(lot=lot)
    from panhuo.auctions import sealing

    for s in SealedBid.objects.filter(lot=lot):
        assert sealing.unseal(
            key.released_private_key, lot.pk, s.registration_id, s.ciphertext
        ) in [D(a) for a in AMOUNTS]
    lot_award(actor=office, lot=lot)
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.AWARDED


def test_the_office_opens_through_the_api_and_the_page(three, world):
    clock, lot, _users = three
    clock.at = lot.opens_at + dt.timedelta(seconds=1)
    r = call(client_for(world, "office"), "POST", f"/api/v1/lots/{lot.pk}/opening", {})
    assert r.status_code == 200 and r.json()["opened"] is False and r.json()["price"] is None
    assert call(client_for(world, "finance"), "POST", f"/api/v1/lots/{lot.pk}/opening",
                {}).status_code == 403  # fmt: skip
    r = client_for(world, "office2").post(reverse("lot-open", args=[lot.pk]))
    assert r.status_code == 302
    state = client_for(world, "head").get(f"/api/v1/lots/{lot.pk}").json()
    assert state["opened"] is True and state["price"] == "5798765.43"
    r = client_for(world, "auditor").get(f"/api/v1/lots/{lot.pk}/sealed-bids")
    assert r.status_code == 200 and [x["amount"] for x in r.json()] == list(AMOUNTS)
    page = client_for(world, "office").get(reverse("lot-sealed", args=[lot.pk]))
    assert page.status_code == 200 and "5,798,765.43" in page.text


@pytest.mark.parametrize("rule", ["earliest", "drawing"])
def test_a_tie_goes_by_the_notices_rule(world, monkeypatch, rule):
    clock = Clock(monkeypatch)
    lot = sealed_lot(world, clock, tie_rule=rule)
    users = []
    for amount in ("5600000.00", "5900000.00", "5900000.00"):
        user = registered(world, lot)
        clock.move(seconds=5)
        seal(user, lot, amount)
        users.append(user)
    lot = _open(world, clock, Lot.objects.get(pk=lot.pk))
    lot = Lot.objects.get(pk=lot.pk)
    entry = AuditEntry.objects.get(action="lot.open_sealed")
    tied = entry.after["tie"]["tied"]
    assert lot.price == D("5900000.00") and len(tied) == 2
    if rule == "earliest":
        assert lot.leader.bidder.user == users[1] and entry.after["tie"]["drawn"] is False
    else:
        assert lot.leader_id in tied and entry.after["tie"]["drawn"] is True


def test_under_the_reserve_the_opening_fails_the_lot_and_without_bids_the_close_does(
    world, monkeypatch
):
    clock = Clock(monkeypatch)
    lot = sealed_lot(world, clock, reserve=D("6000000.00"))
    seal(registered(world, lot), lot, "5800000.00")
    lot = _open(world, clock, Lot.objects.get(pk=lot.pk))
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.FAILED
    clock2 = Clock(monkeypatch)
    empty = sealed_lot(world, clock2)
    clock2.at = empty.end_at
    close_due()
    assert Lot.objects.get(pk=empty.pk).status == LotStatus.FAILED


def test_setup_names_the_opening_time_after_the_end(world, monkeypatch):
    from panhuo.core.errors import ValidationError

    clock = Clock(monkeypatch)
    with pytest.raises(ValidationError) as exc:
        make_lot(world, kind="sealed", increment=None, opens_at=None)
    assert "opens_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_lot(world, kind="sealed", increment=None, start=clock.at, minutes=60,
                 opens_at=clock.at + dt.timedelta(minutes=30))  # fmt: skip
    assert "opens_at" in exc.value.message_dict


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    who=st.sampled_from((*READERS, "bidder_0")),
    seconds=st.integers(min_value=0, max_value=90 * 60 - 1),
    via=st.sampled_from(["service", "api", "page"]),
)
def test_property_before_the_opening_no_role_reads_any_amount(three, world, who, seconds, via):
    """Whatever the role, the moment before the opening time and the way in, no amount comes
    back and the attempt is in the audit log."""
    clock, lot, users = three
    clock.at = lot.start_at + dt.timedelta(seconds=seconds)
    user = users[0] if who == "bidder_0" else world.user(who)
    count = AuditEntry.objects.filter(action="lot.sealed_read_refused").count()
    # Whoever reaches the sealed amounts (the service always; the API and the page those
    # who may see the lot) is refused and recorded; the others are refused before.
    if via == "service":
        with pytest.raises(PermissionDenied):
            sealed.sealed_read(actor=user, lot=lot)
        reached = True
    else:
        c = client_for(world, "office")
        c.force_login(user)
        url = (f"/api/v1/lots/{lot.pk}/sealed-bids" if via == "api"
               else reverse("lot-sealed", args=[lot.pk]))  # fmt: skip
        r = c.get(url)
        assert r.status_code in (403, 404)
        assert not any(a in r.text or f"{D(a):,.2f}" in r.text for a in AMOUNTS)
        reached = who == "bidder_0" or lots_for(user).filter(pk=lot.pk).exists()
    # Opening attempts before the time fail too, whoever asks.
    with pytest.raises((Refused, NotPermitted)):
        sealed.opening_confirm(actor=user, lot_id=lot.pk)
    assert not SealedKey.objects.get(lot=lot).opened
    refused = AuditEntry.objects.filter(action="lot.sealed_read_refused").count()
    assert refused == count + (1 if reached else 0)


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(min_value=1, max_value=10**15),
    lot_id=st.integers(min_value=1, max_value=2**31),
    reg=st.integers(min_value=1, max_value=2**31),
)
def test_property_a_sealed_amount_opens_only_with_its_key_lot_and_bidder(cents, lot_id, reg):
    """Whatever the amount: the ciphertext has one size and does not hold the amount's text;
    it opens with the lot's key to the same amount, and not for another bidder or lot, nor
    with a key wrapped under another secret."""
    from panhuo.auctions import sealing

    amount = D(cents) / 100
    public, wrapped = sealing.new_key_pair("secret-a", lot_id)
    sealed_bytes = sealing.seal(public, lot_id, reg, amount)
    assert len(sealed_bytes) == 32 + 12 + sealing.PADDED + 16
    assert f"{amount:.2f}".encode() not in sealed_bytes
    private = sealing.unwrap("secret-a", lot_id, public, wrapped)
    assert sealing.unseal(private, lot_id, reg, sealed_bytes) == amount
    with pytest.raises(sealing.SealError):
        sealing.unseal(private, lot_id, reg + 1, sealed_bytes)
    with pytest.raises(sealing.SealError):
        sealing.unseal(private, lot_id + 1, reg, sealed_bytes)
    with pytest.raises(sealing.SealError):
        sealing.unwrap("secret-b", lot_id, public, wrapped)
