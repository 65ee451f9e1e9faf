"""Valuation records, latest appraisals, package values and the rule sets of jurisdictions."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panhuo.core.errors import Conflict
from panhuo.core.testing import AssetFactory, appraise
from panhuo.disposal import services as ds
from panhuo.integrity.models import AuditEntry
from panhuo.pricing import services as ps
from panhuo.pricing.models import PriceRuleSet, Valuation
from panhuo.pricing.selectors import (
    latest_valid_appraisal,
    package_appraisal,
    package_appraised_value,
    thresholds_for,
    valuation_list,
)

TODAY = timezone.localdate()


def appraisal_kw(**over):
    return {
        "kind": "appraisal",
        "value": D("4200000.00"),
        "base_date": TODAY - dt.timedelta(days=10),
        "method": "market",
        "appraiser": "Zhongxin Appraisal Co.",
        "licence_number": "11020045",
        "report_number": "ZX-PG-2026-118",
        **over,
    }


def test_office_records_an_appraisal_with_audit_and_register_sync(world):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    before = AuditEntry.objects.count()
    v = ps.valuation_create(actor=world.user("office"), asset=asset, **appraisal_kw())
    assert (
        v.valid_until
        == TODAY - dt.timedelta(days=10) + dt.timedelta(days=365) - dt.timedelta(days=1)
        or v.valid_until.year == TODAY.year + 1
    )
    asset.refresh_from_db()
    assert asset.appraised_value == D("4200000.00") and asset.version == 2
    entry = AuditEntry.objects.order_by("-seq").first()
    # The valuation's entry, and the asset's own entry of its new appraised value (so that
    # `audit reconcile` replays the asset).
    assert AuditEntry.objects.count() == before + 2
    assert entry.action == "valuation.create" and entry.after["report_number"] == "ZX-PG-2026-118"
    synced = AuditEntry.objects.get(action="asset.appraised_value")
    assert (synced.object_id, synced.after["appraised_value"]) == (str(asset.pk), "4200000.00")
    assert synced.after["valuation"] == v.pk
    assert latest_valid_appraisal(asset) == v


def test_an_older_appraisal_does_not_overwrite_the_register(world):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    ps.valuation_create(actor=world.user("office"), asset=asset, **appraisal_kw())
    ps.valuation_create(
        actor=world.user("office"),
        asset=asset,
        **appraisal_kw(value=D("1.00"), base_date=TODAY - dt.timedelta(days=300)),
    )
    asset.refresh_from_db()
    assert asset.appraised_value == D("4200000.00")


@pytest.mark.parametrize("missing", ["appraiser", "licence_number", "report_number", "method"])
def test_an_appraisal_without_its_particulars_is_refused(world, missing):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    with pytest.raises(ValidationError) as e:
        ps.valuation_create(
            actor=world.user("office"), asset=asset, **appraisal_kw(**{missing: ""})
        )
    assert missing in e.value.message_dict
    assert not Valuation.objects.filter(asset=asset).exists()


def test_bad_values_are_refused_by_field(world):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    office = world.user("office")
    for over, field in (
        ({"value": D("0")}, "value"),
        ({"value": D("1.001")}, "value"),
        ({"kind": "guess"}, "kind"),
        ({"base_date": TODAY + dt.timedelta(days=1)}, "base_date"),
        ({"valid_until": TODAY - dt.timedelta(days=400)}, "valid_until"),
        ({"method": "astrology"}, "method"),
    ):
        with pytest.raises(ValidationError) as e:
            ps.valuation_create(actor=office, asset=asset, **appraisal_kw(**over))
        assert field in e.value.message_dict, over
    with pytest.raises(ValidationError) as e:
        ps.valuation_create(
            actor=office, asset=asset, kind="automated", value=D("1"), base_date=TODAY
        )
    assert {"stated_error", "method"} <= set(e.value.message_dict)
    assert not Valuation.objects.filter(asset=asset).exists()


def test_book_and_automated_valuations(world):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    office = world.user("office")
    ps.valuation_create(actor=office, asset=asset, kind="book", value=D("5000000"), base_date=TODAY)
    auto = ps.valuation_create(
        actor=office,
        asset=asset,
        kind="automated",
        value=D("5100000"),
        base_date=TODAY,
        method="model",
        inputs={"area": 1200},
        stated_error=D("0.1250"),
    )
    assert auto.stated_error == D("0.1250")
    # Neither is an appraisal: the rules still see none.
    assert latest_valid_appraisal(asset) is None
    asset.refresh_from_db()
    assert asset.appraised_value == D("6000000.00")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("office", True),
        ("unit_officer", True),
        ("other_unit_officer", False),
        ("head", False),
        ("finance", False),
        ("auditor", False),
        ("outsider_office", False),
        ("norole", False),
    ],
)
def test_who_may_record_valuations(world, who, allowed):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    if allowed:
        ps.valuation_create(actor=world.user(who), asset=asset, **appraisal_kw())
        assert Valuation.objects.filter(asset=asset).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            ps.valuation_create(actor=world.user(who), asset=asset, **appraisal_kw())
        assert not Valuation.objects.filter(asset=asset).exists()


def test_valuations_are_visible_by_scope(world):
    mine = AssetFactory(unit=world.unit)
    other = AssetFactory(unit=world.unit2)
    outside = AssetFactory(unit=world.other_unit)
    seen = {
        who: set(valuation_list(world.user(who)).values_list("asset_id", flat=True))
        for who in ("head", "unit_officer", "outsider_head", "bidder", "supervisor")
    }
    assert seen["head"] == {mine.pk, other.pk}
    assert seen["unit_officer"] == {mine.pk}
    assert seen["outsider_head"] == {outside.pk}
    assert seen["bidder"] == set()
    assert seen["supervisor"] == {mine.pk, other.pk, outside.pk}


def test_latest_valid_appraisal_expires(world):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    old = appraise(asset, D("100"), base_date=TODAY - dt.timedelta(days=400))
    assert latest_valid_appraisal(asset) is None
    assert latest_valid_appraisal(asset, on=old.base_date + dt.timedelta(days=30)) == old
    new = appraise(asset, D("200"), base_date=TODAY - dt.timedelta(days=2))
    assert latest_valid_appraisal(asset) == new


def test_package_appraised_value_is_the_sum_of_latest_appraisals(world):
    a1 = AssetFactory(unit=world.unit, appraisal=D("1000000.00"))
    a2 = AssetFactory(unit=world.unit, appraisal=D("2500000.00"))
    appraise(a1, D("1200000.00"), base_date=TODAY)  # supersedes 1,000,000
    package = ds.package_create(
        actor=world.user("office"),
        jurisdiction=world.district,
        name="Lot",
        channel="auction",
        asset_ids=[a1.pk, a2.pk],
    )
    assert package_appraised_value(package) == D("3700000.00")
    a3 = AssetFactory(unit=world.unit, appraisal=False)
    ds.package_add_assets(actor=world.user("office"), package=package, asset_ids=[a3.pk])
    found = package_appraisal(package)
    assert found.total is None and found.missing == [a3.code]
    assert package_appraised_value(package) is None


def test_rules_come_from_the_nearest_jurisdiction(world):
    assert thresholds_for(world.district).approval_floor_pct == D("90.00")
    ps.price_rules_update(
        actor=world.user("head"), jurisdiction=world.district, data={"approval_floor_pct": D("95")}
    )
    assert thresholds_for(world.district).approval_floor_pct == D("95.00")
    assert thresholds_for(world.other_district).approval_floor_pct == D("90.00")
    PriceRuleSet.objects.create(jurisdiction=world.city, notice_days=7)
    assert thresholds_for(world.other_district).notice_days == 7
    # The district keeps its own set (created from the defaults, not the later city set).
    assert thresholds_for(world.district).notice_days == 5
    # Each class has its own sets: the district's enterprise set leaves its administrative
    # rules to the defaults.
    assert thresholds_for(world.district, "administrative").approval_floor_pct == D("90.00")


def test_rule_updates_check_roles_versions_and_values(world):
    with pytest.raises(PermissionDenied):
        ps.price_rules_update(
            actor=world.user("finance"), jurisdiction=world.district, data={"notice_days": 9}
        )
    with pytest.raises(PermissionDenied):
        ps.price_rules_update(
            actor=world.user("outsider_head"), jurisdiction=world.district, data={"notice_days": 9}
        )
    rs = ps.price_rules_update(
        actor=world.user("office"), jurisdiction=world.district, data={"notice_days": 9}
    )
    assert rs.version == 1
    rs = ps.price_rules_update(
        actor=world.user("deputy"), jurisdiction=world.district, data={"notice_days": 8}, version=1
    )
    assert rs.version == 2
    with pytest.raises(Conflict):
        ps.price_rules_update(
            actor=world.user("head"),
            jurisdiction=world.district,
            data={"notice_days": 6},
            version=1,
        )
    for data, field in (
        ({"colour": "red"}, "colour"),
        ({"approval_floor_pct": D("250")}, "approval_floor_pct"),
        ({"physical_mid_to": D("10")}, "physical_mid_to"),
    ):
        with pytest.raises(ValidationError) as e:
            ps.price_rules_update(actor=world.user("head"), jurisdiction=world.district, data=data)
        assert field in e.value.message_dict
    rs.refresh_from_db()
    assert rs.notice_days == 8 and rs.version == 2
