"""Gates ``land_announcement_short`` and ``land_listing_short`` (MLR Order 39 arts. 11 and 19)
at the transitions: a listing of land-use rights records its announcement, published at least
20 days before the listing starts, and the deal comes at least 10 days after the listing. The
pure functions at, just below and just above each threshold across the 2026/2027 calendars
(calendar days: a festival moves nothing); then the service and the API, which refuse and write
nothing, and a package without land, which needs no announcement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from panhuo.core.gates import GateRefused
from panhuo.core.testing import LATE_REASON, AssetFactory, approved
from panhuo.core.tests.api_support import call, client_for, fingerprint
from panhuo.disposal import services as ds
from panhuo.disposal.listing_gates import announcement_published
from panhuo.pricing.land_gates import require_land_announcement, require_land_listing
from panhuo.pricing.rules import Thresholds

pytestmark = pytest.mark.django_db
T = Thresholds()
DAY = dt.timedelta(days=1)
# Listing starts just after National Day 2026, New Year 2027 and Spring Festival 2027.
STARTS = [dt.date(2026, 10, 8), dt.date(2027, 1, 4), dt.date(2027, 2, 17)]


@pytest.mark.parametrize("start", STARTS)
def test_announcement_at_just_below_and_just_above_20_days(start):
    at = start - dt.timedelta(days=20)
    assert require_land_announcement(announced_on=at, listing_start=start, t=T) is None
    assert require_land_announcement(announced_on=at - DAY, listing_start=start, t=T) is None
    with pytest.raises(GateRefused) as exc:
        require_land_announcement(announced_on=at + DAY, listing_start=start, t=T)
    e = exc.value
    assert e.rule.code == "land_announcement_short" and e.field == "listed_on"
    assert "19 days" in e.text and "MLR Order 39 art. 11" in e.text
    assert (start + DAY).isoformat() in e.unblock


@pytest.mark.parametrize("start", STARTS)
def test_listing_at_just_below_and_just_above_10_days(start):
    at = start + dt.timedelta(days=10)
    assert require_land_listing(listing_start=start, listing_end=at, t=T) is None
    assert require_land_listing(listing_start=start, listing_end=at + DAY, t=T) is None
    with pytest.raises(GateRefused) as exc:
        require_land_listing(listing_start=start, listing_end=at - DAY, t=T)
    assert exc.value.rule.code == "land_listing_short" and "MLR Order 39 art. 19" in exc.value.text
    assert at.isoformat() in exc.value.unblock


def test_no_announcement_and_a_future_one_are_refused():
    start = STARTS[0]
    with pytest.raises(GateRefused) as exc:
        require_land_announcement(announced_on=None, listing_start=start, t=T)
    assert exc.value.field == "announced_on" and "2026-09-18" in exc.value.unblock
    today = dt.date(2026, 10, 8)
    assert announcement_published(announced_on=today, today=today) is None
    with pytest.raises(GateRefused) as exc:
        announcement_published(announced_on=today + DAY, today=today)
    assert exc.value.rule.code == "step_date" and exc.value.field == "announced_on"


def test_a_stricter_configuration_moves_the_thresholds():
    t = Thresholds(land_announce_days=30, land_listing_days=15)
    start = STARTS[1]
    with pytest.raises(GateRefused):
        require_land_announcement(
            announced_on=start - dt.timedelta(days=29), listing_start=start, t=t
        )
    with pytest.raises(GateRefused):
        require_land_listing(listing_start=start, listing_end=start + dt.timedelta(days=14), t=t)


def test_refusals_in_chinese():
    with translation.override("zh-hans"), pytest.raises(GateRefused) as exc:
        require_land_announcement(announced_on=None, listing_start=STARTS[2], t=T)
    assert "公告" in exc.value.text and "39号令" in exc.value.text and "如需继续" in exc.value.text


def _approved(w, kind="land"):
    asset = AssetFactory(unit=w.unit, kind=kind)
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel="auction",
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=D("100.00"))
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    return approved(w, p)


def _iso(days_back: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_back)).isoformat()


def test_listing_land_through_the_api(world):
    p = _approved(world)
    office = client_for(world, "office")
    url = f"/api/v1/projects/{p.pk}/transitions"
    body = {"transition": "list", "listed_on": _iso(80), "comment": LATE_REASON}
    before = fingerprint()
    for extra, field in (({}, "announced_on"), ({"announced_on": _iso(99)}, "listed_on")):
        r = call(office, "POST", url, {**body, **extra})
        assert r.status_code == 400, r.content
        assert r.json()["gate"] == {**r.json()["gate"], "rule": "land_announcement_short",
                                    "field": field}  # fmt: skip
    r = call(
        office, "POST", url, {**body, "announced_on": (timezone.localdate() + DAY).isoformat()}
    )
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "step_date"
    assert fingerprint() == before and not p.rounds.exists()
    r = call(office, "POST", url, {**body, "announced_on": _iso(100)})  # 20 days: listed
    assert r.status_code == 200, r.content
    assert p.rounds.get().announced_on.isoformat() == _iso(100)


def test_the_deal_waits_10_days_and_the_land_rule_names_itself(world):
    office = world.user("office")
    p = _approved(world)
    p = ds.project_transition(actor=office, project=p, transition="list", listed_on=_iso(80),
                              announced_on=_iso(100), comment=LATE_REASON)  # fmt: skip
    deal = {"deal_price": D("100.00"), "buyer": "Buyer Ltd", "bidders": 2, "comment": LATE_REASON}
    before = fingerprint()
    with pytest.raises(GateRefused) as exc:  # 9 days after the listing started
        ds.project_transition(actor=office, project=p, transition="conclude",
                              concluded_on=_iso(71), **deal)  # fmt: skip
    assert exc.value.rule.code == "land_listing_short"
    assert fingerprint() == before
    # From 10 days on the land rule is met; the general disclosure (20 working days) is what
    # still holds the deal back, and it says so itself.
    with pytest.raises(GateRefused) as exc:
        ds.project_transition(actor=office, project=p, transition="conclude",
                              concluded_on=_iso(70), **deal)  # fmt: skip
    assert exc.value.rule.code == "disclosure_period"
    p = ds.project_transition(actor=office, project=p, transition="conclude",
                              concluded_on=_iso(20), **deal)  # fmt: skip
    assert p.status == "concluded"


def test_a_package_without_land_needs_no_announcement(world):
    p = _approved(world, kind="building")
    p = ds.project_transition(actor=world.user("office"), project=p, transition="list")
    assert p.rounds.get().announced_on is None


@pytest.mark.parametrize("listed", [dt.date(2026, 11, 2), dt.date(2027, 3, 1)])
def test_the_disclosure_end_counts_the_listing_not_the_announcement_again(world, listed):
    """The announcement ran its 20 days before the listing (the gate above); the disclosure end
    waits for the 10-day listing, not for 30 days after the listing (once stricter than the
    law: a land sale could not close for a month)."""
    from panhuo.pricing import rules

    due = rules.disclosure_due(_approved(world), listed)
    assert listed + dt.timedelta(days=10) <= due < listed + dt.timedelta(days=30)
