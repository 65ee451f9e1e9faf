"""The price rules applied to disposal transitions: refusals name the rule and write nothing."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from panhuo.core.testing import AssetFactory, appraise, approved, recorded_late, written_approval
from panhuo.core.tests.api_support import fingerprint
from panhuo.disposal import pricing_guard as guard
from panhuo.disposal import services as ds
from panhuo.disposal.models import ProjectEvent
from panhuo.pricing import rules
from panhuo.pricing import services as ps
from panhuo.pricing.models import Valuation

TODAY = timezone.localdate()


def approved_project(w, *, appraisal, reserve, channel="auction", assets=None):
    assets = assets or [AssetFactory(unit=w.unit, appraisal=appraisal)]
    package = ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel=channel,
        asset_ids=[a.pk for a in assets],
    )
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=D(reserve))
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    return approved(w, p)


def refused(project, actor, transition, **kw) -> str:
    before = fingerprint()
    with pytest.raises(ValidationError) as e:
        ds.project_transition(actor=actor, project=project, transition=transition, **kw)
    assert fingerprint() == before
    return " ".join(m for ms in e.value.message_dict.values() for m in ms)


def test_listing_without_an_appraisal_is_refused(world):
    p = approved_project(world, appraisal=False, reserve="100")
    msg = refused(p, world.user("office"), "list")
    assert "[appraisal_required ·" in msg and p.package.items.get().asset.code in msg


def test_listing_with_a_stale_appraisal_is_refused(world):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    last_valid_base = rules.add_months(TODAY, -12) + dt.timedelta(days=1)
    appraise(asset, D("1000"), base_date=last_valid_base - dt.timedelta(days=1))
    p = approved_project(world, appraisal=None, reserve="1000", assets=[asset])
    msg = refused(p, world.user("office"), "list")
    assert "[appraisal_stale ·" in msg and "12 months" in msg
    # Renewed (base date exactly at the edge of validity): listing goes ahead.
    appraise(asset, D("1000"), base_date=last_valid_base)
    p = ds.project_transition(actor=world.user("office"), project=p, transition="list")
    assert p.status == "listed"


def test_first_listing_reserve_at_just_below_and_above_the_appraisal(world):
    p = approved_project(world, appraisal=D("1000000.01"), reserve="1000000.00")
    msg = refused(p, world.user("office"), "list")
    assert "[reserve_below_appraisal ·" in msg and "100.00 %" in msg
    for value in (D("1000000.00"), D("999999.99")):
        q = approved_project(world, appraisal=value, reserve="1000000.00")
        assert ds.project_transition(actor=world.user("office"), project=q, transition="list")


def test_the_package_value_is_the_sum_of_its_assets(world):
    assets = [
        AssetFactory(unit=world.unit, appraisal=D("600000.00")),
        AssetFactory(unit=world.unit, appraisal=D("400000.00")),
    ]
    p = approved_project(world, appraisal=None, reserve="999999.99", assets=assets)
    assert "1,000,000.00" in refused(p, world.user("office"), "list")


def listed(world, appraisal=D("1000000.00")):
    p = approved_project(world, appraisal=appraisal, reserve=str(appraisal))
    # Recorded late (with the reason): the disclosure has run, so the deal's price is judged.
    return ds.project_transition(
        actor=world.user("office"), project=p, transition="list", **recorded_late("list")
    )


def test_a_deal_below_ninety_percent_waits_for_written_approval(world):
    p = listed(world)
    msg = refused(p, world.user("office"), "conclude", deal_price=D("899999.99"), buyer="B Ltd")
    assert "[below_approval_floor ·" in msg and "90.00 %" in msg and "written approval" in msg
    p = ds.project_transition(
        actor=world.user("office"),
        project=p,
        transition="conclude",
        deal_price=D("900000.00"),
        buyer="B Ltd",
    )
    assert p.status == "concluded"


def test_a_deal_below_the_floor_goes_through_with_written_approval(world):
    from panhuo.approvals import services as aps

    p = listed(world)
    request = aps.approval_request(
        actor=world.user("office"),
        obj=p,
        purpose=guard.APPROVAL_PURPOSE,
        jurisdiction=world.district,
        amount=D("500000.00"),
        reason="Two failed auctions; the market has fallen.",
    )
    # Asked for, not yet given: still suspended.
    refused(p, world.user("office"), "conclude", deal_price=D("500000.00"), buyer="B Ltd")
    written_approval(world, p)  # the head approves on the approval document (文号)
    aps.approval_decide(actor=world.user("head"), request=request, approve=True)
    # The approval covers the amount it names, not less.
    msg = refused(p, world.user("office"), "conclude", deal_price=D("499999.99"), buyer="B Ltd")
    assert "[below_approval_floor ·" in msg
    p = ds.project_transition(
        actor=world.user("office"),
        project=p,
        transition="conclude",
        deal_price=D("500000.00"),
        buyer="B Ltd",
    )
    assert p.deal_price == D("500000.00")


def test_the_floor_follows_the_jurisdictions_rules(world):
    ps.price_rules_update(
        actor=world.user("head"),
        jurisdiction=world.district,
        data={"approval_floor_pct": D("80")},
        rule_class="administrative",  # no law minimum for a department's assets
    )
    p = listed(world)
    assert "80.00 %" in refused(
        p, world.user("office"), "conclude", deal_price=D("799999.99"), buyer="B"
    )
    assert ds.project_transition(
        actor=world.user("office"),
        project=p,
        transition="conclude",
        deal_price=D("800000.00"),
        buyer="B",
    )


def test_twelve_months_without_a_buyer_need_a_new_appraisal(world):
    p = listed(world)
    event = ProjectEvent.objects.get(project=p, to_status="listed")
    a_year_ago = timezone.now() - dt.timedelta(days=366)
    ProjectEvent.objects.filter(pk=event.pk).update(at=a_year_ago)
    Valuation.objects.filter(asset__package_items__package=p.package).update(
        base_date=TODAY - dt.timedelta(days=380), valid_until=TODAY
    )
    msg = refused(p, world.user("office"), "conclude", deal_price=D("1000000"), buyer="B")
    assert "[reappraisal_due ·" in msg and "12 months" in msg
    appraise(p.package.items.get().asset, D("1000000.00"), base_date=TODAY)
    assert ds.project_transition(
        actor=world.user("office"),
        project=p,
        transition="conclude",
        deal_price=D("1000000"),
        buyer="B",
    )


@pytest.mark.parametrize("channel", ["lease", "concession", "securitisation"])
def test_channels_that_keep_the_asset_are_not_judged(world, channel):
    p = approved_project(world, appraisal=False, reserve="1", channel=channel)
    for transition in ("list", "relist", "conclude"):
        data = {"deal_price": D("1"), "buyer": "B"}
        guard.pricing_guard(actor=world.user("office"), project=p, transition=transition, data=data)
    p.channel = "auction"
    with pytest.raises(ValidationError):
        guard.pricing_guard(actor=world.user("office"), project=p, transition="list", data={})


def test_other_transitions_are_not_judged(world):
    p = approved_project(world, appraisal=False, reserve="1")
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="withdraw", comment="Not now."
    )
    assert p.status == "withdrawn"


def test_the_guard_is_registered():
    from panhuo.disposal.guards import registry

    assert ("pricing", guard.pricing_guard) in registry.guards
