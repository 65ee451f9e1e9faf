"""Gate ``relist_after_disclosure`` (issue 12): a listing is relisted (at a lower reserve) only
once its disclosure has ended without a buyer. The pure function at, just below and just above
the disclosure's last day across the 2026/2027 calendars; the service refuses and writes
nothing, the API answers 400 with the gate, the project page says why relisting waits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from panhuo.core.gates import GateRefused
from panhuo.core.testing import AssetFactory, approved, recorded_late
from panhuo.core.tests.api_support import call, client_for, fingerprint
from panhuo.core.workdays import add_working_days
from panhuo.disposal import periods
from panhuo.disposal import services as ds
from panhuo.pricing.rules import Thresholds

pytestmark = pytest.mark.django_db
ONE = dt.timedelta(days=1)
T = Thresholds()


def _gate(relist_on, listed_on, ends=None, physical=False, value=D("100")):
    return periods.relist_after_disclosure(
        relist_on=relist_on, listed_on=listed_on, disclosure_ends=ends, physical=physical,
        value=value, t=T,
    )  # fmt: skip


# Listing days before National Day 2026, the 2027 New Year and the 2027 Spring Festival.
@pytest.mark.parametrize(
    "listed_on", [dt.date(2026, 9, 21), dt.date(2026, 12, 24), dt.date(2027, 1, 29)]
)
def test_at_just_below_and_just_above_the_last_day_of_disclosure(listed_on):
    last = add_working_days(listed_on, 20)
    assert _gate(last + ONE, listed_on) is None  # the day after: relisted
    for day in (last, last - ONE):  # on the last day, or the day before: refused
        with pytest.raises(GateRefused) as exc:
            _gate(day, listed_on)
        e = exc.value
        assert e.rule.code == "relist_after_disclosure" and e.field == "listed_on"
        assert last.isoformat() in e.text and (last + ONE).isoformat() in e.unblock
        assert "Order 32 art. 18" in e.text


def test_an_extended_end_and_the_physical_band_count():
    listed_on = dt.date(2026, 3, 2)
    last = add_working_days(listed_on, 20)
    extended = last + dt.timedelta(days=14)
    with pytest.raises(GateRefused):
        _gate(last + ONE, listed_on, ends=extended)
    assert _gate(extended + ONE, listed_on, ends=extended) is None
    # Physical assets of 1-10 m yuan disclose 10 working days (Order 32 art. 50).
    ten = add_working_days(listed_on, 10)
    assert _gate(ten + ONE, listed_on, physical=True, value=D("2000000")) is None
    with pytest.raises(GateRefused):
        _gate(ten, listed_on, physical=True, value=D("2000000"))


def test_refusal_in_chinese():
    listed_on = dt.date(2027, 1, 29)
    with translation.override("zh-hans"), pytest.raises(GateRefused) as exc:
        _gate(listed_on + ONE, listed_on)
    assert "重新挂牌" in exc.value.text and "32号令第十八条" in exc.value.text


def _listed(w, days_back):
    asset = AssetFactory(unit=w.unit)
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel="auction",
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=D("100.00"))
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    p = approved(w, p)
    return ds.project_transition(
        actor=w.user("office"), project=p, transition="list",
        **recorded_late("list", days=days_back),
    )  # fmt: skip


def test_service_api_and_page(world):
    office = world.user("office")
    p = _listed(world, 3)  # disclosure still running
    before = fingerprint()
    with pytest.raises(GateRefused, match="relist_after_disclosure"):
        ds.project_transition(actor=office, project=p, transition="relist",
                              reserve_price=D("95.00"), comment="No bidder.")  # fmt: skip
    assert fingerprint() == before and p.rounds.count() == 1
    body = {"transition": "relist", "reserve_price": "95.00", "comment": "No bidder."}
    r = call(client_for(world, "office"), "POST", f"/api/v1/projects/{p.pk}/transitions", body)
    assert r.status_code == 400, r.content
    assert r.json()["gate"]["rule"] == "relist_after_disclosure"
    blocked = {t.name: why for t, why in ds.blocked_transitions(office, p)}
    assert "relist_after_disclosure" in blocked["relist"]
    # Listed long enough ago: the disclosure has ended, the relisting goes through today.
    q = _listed(world, 80)
    assert "relist" not in {t.name for t, _ in ds.blocked_transitions(office, q)}
    q = ds.project_transition(actor=office, project=q, transition="relist",
                              reserve_price=D("95.00"), comment="No bidder.")  # fmt: skip
    assert q.rounds.count() == 2 and q.rounds.get(result="open").listed_on == timezone.localdate()
