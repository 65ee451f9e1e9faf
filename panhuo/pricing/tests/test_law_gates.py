"""Issue 12 items 3 and 6 in pricing: rule sets per class with the law's minimums, the class of a
package, the amount plausibility range, deferred-payment terms and the land periods — each gate
at, just past and just inside its threshold, refusals naming the rule and article in English
and Chinese, and a saved configuration that is never laxer than the law."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.gates import GateRefused
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import fingerprint
from panhuo.disposal import services as ds
from panhuo.integrity.models import AuditEntry
from panhuo.pricing import gates, land_gates, law, rules
from panhuo.pricing import services as ps
from panhuo.pricing.models import PriceRuleSet
from panhuo.pricing.rules import Thresholds
from panhuo.pricing.selectors import package_rule_classes, thresholds_for, thresholds_for_package

MINIMUMS = [(c, m) for c, table in law.LAW.items() for m in table.values()]


def _step(m: law.Minimum) -> D:
    return (
        D(1) if m.bound == m.bound.to_integral_value() and m.field.endswith("days") else D("0.01")
    )


def _laxer(m: law.Minimum) -> D:
    return m.bound - _step(m) if m.stricter == law.HIGHER else m.bound + _step(m)


def _stricter(m: law.Minimum) -> D:
    return m.bound + _step(m) if m.stricter == law.HIGHER else m.bound - _step(m)


@pytest.mark.parametrize(("rule_class", "m"), MINIMUMS, ids=lambda x: str(getattr(x, "field", x)))
def test_each_law_minimum_at_just_past_and_inside(rule_class, m):
    gates.require_not_laxer_than_law(rule_class, {m.field: m.bound})
    gates.require_not_laxer_than_law(rule_class, {m.field: _stricter(m)})
    with pytest.raises(GateRefused) as exc:
        gates.require_not_laxer_than_law(rule_class, {m.field: _laxer(m)})
    assert exc.value.rule.code == "rule_set_laxer_than_law" and exc.value.field == m.field
    assert str(m.source) in exc.value.text and str(m.bound) in exc.value.unblock


def test_the_defaults_of_every_class_keep_the_law():
    for rule_class in law.RuleClass.values:
        assert law.laxer_than_law(rule_class, Thresholds().values()) is None


def test_a_laxer_configuration_is_refused_naming_field_and_law_in_both_languages(world):
    before = fingerprint()
    with pytest.raises(GateRefused) as exc:
        ps.price_rules_update(
            actor=world.user("head"), jurisdiction=world.district, data={"disclosure_days": 19}
        )
    assert fingerprint() == before and not PriceRuleSet.objects.exists()
    assert "disclosure_days" in exc.value.message_dict
    assert "Order 32 art. 13" in exc.value.text and "at least 20" in exc.value.unblock
    with translation.override("zh-hans"), pytest.raises(GateRefused) as zh:
        ps.price_rules_update(
            actor=world.user("head"), jurisdiction=world.district, data={"notice_days": 4}
        )
    assert "规则" in zh.value.text and "第二十九条" in zh.value.text and "至少" in zh.value.unblock
    # At the law's minimum, and stricter, it is saved — with a local source recorded.
    rs = ps.price_rules_update(
        actor=world.user("head"),
        jurisdiction=world.district,
        data={"disclosure_days": 20, "notice_days": 6},
        sources={"notice_days": "District notice 2026-3"},
    )
    assert (rs.disclosure_days, rs.notice_days, rs.rule_class) == (20, 6, "enterprise")
    t = thresholds_for(world.district)
    assert t.sources["notice_days"] == "District notice 2026-3"
    assert str(t.sources["disclosure_days"]) == "Order 32 art. 13"
    assert AuditEntry.objects.filter(action="pricerules.update").count() == 1


def test_classes_have_their_own_minimums(world):
    # A department's assets: Decree 738 sets no disclosure minimum; local measures may.
    rs = ps.price_rules_update(
        actor=world.user("head"),
        jurisdiction=world.district,
        data={"disclosure_days": 15},
        rule_class="administrative",
    )
    assert rs.rule_class == "administrative"
    assert thresholds_for(world.district, "administrative").disclosure_days == 15
    assert thresholds_for(world.district, "enterprise").disclosure_days == 20
    with pytest.raises(GateRefused) as exc:
        ps.price_rules_update(
            actor=world.user("head"),
            jurisdiction=world.district,
            data={"land_listing_days": 9},
            rule_class="land",
        )
    assert "MLR Order 39 art. 19" in exc.value.text
    with pytest.raises(GateRefused):  # the reference rate under the LPR
        ps.price_rules_update(
            actor=world.user("head"),
            jurisdiction=world.district,
            data={"reference_rate_pct": D("2.99")},
            rule_class="administrative",
        )


FIELDS = sorted({m.field for _c, m in MINIMUMS})


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rule_class=st.sampled_from(law.RuleClass.values),
    values=st.dictionaries(
        st.sampled_from(FIELDS),
        st.integers(min_value=0, max_value=40),
        min_size=1,
        max_size=4,
    ),
)
def test_a_saved_configuration_is_never_laxer_than_the_law(world, rule_class, values):
    data = dict(values)
    for money in ("physical_mid_from", "physical_mid_to"):
        if money in data:
            data[money] = D(data[money]) * D(500_000)
    with transaction.atomic():
        try:
            ps.price_rules_update(
                actor=world.user("head"),
                jurisdiction=world.district,
                data=data,
                rule_class=rule_class,
            )
        except ValidationError:
            # Refused (laxer than the law, or out of the field's range): nothing was saved.
            assert not PriceRuleSet.objects.filter(jurisdiction=world.district).exists()
        else:
            row = PriceRuleSet.objects.get(jurisdiction=world.district, rule_class=rule_class)
            values_now = {n: getattr(row, n) for n in Thresholds.names()}
            assert law.laxer_than_law(rule_class, values_now) is None
        transaction.set_rollback(True)


# --- The class of a package ---------------------------------------------------------------------


def _package(w, assets):
    return ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel="auction",
        asset_ids=[a.pk for a in assets],
    )


def test_the_class_follows_the_owner_and_the_kind(world):
    dept = _package(world, [AssetFactory(unit=world.unit, kind="building")])
    assert package_rule_classes(dept) == ["administrative"]
    soe = _package(world, [AssetFactory(unit=world.unit2, kind="equipment")])
    assert package_rule_classes(soe) == ["enterprise"]
    land = _package(world, [AssetFactory(unit=world.unit2, kind="land")])
    assert package_rule_classes(land) == ["enterprise", "land"]


def test_a_mixed_package_takes_the_strictest_of_each_threshold(world):
    ps.price_rules_update(
        actor=world.user("head"),
        jurisdiction=world.district,
        data={"disclosure_days": 25, "approval_floor_pct": D("80")},
        rule_class="administrative",
    )
    mixed = _package(
        world, [AssetFactory(unit=world.unit, kind="building"), AssetFactory(unit=world.unit2)]
    )
    t = thresholds_for_package(mixed)
    assert t.rule_classes == ("administrative", "enterprise")
    assert t.disclosure_days == 25  # the administrative set's, stricter
    assert t.approval_floor_pct == D("90.00")  # the enterprise law's, stricter
    assert str(t.sources["approval_floor_pct"]) == "Order 32 art. 18"


def test_land_waits_for_the_listing_period(world):
    """The disclosure of land-use rights ends no sooner than the 10-day listing (MLR Order 39
    art. 19); the 20-day announcement ran before the listing, which its own gate holds."""
    land = _package(world, [AssetFactory(unit=world.unit, kind="land")])
    p = ds.project_create(actor=world.user("office"), package=land, reserve_price=D("1000"))
    monday = dt.date(2025, 3, 3)
    assert rules.disclosure_due(p, monday) >= monday + dt.timedelta(days=10)


def test_land_periods_at_and_past_their_thresholds():
    t = Thresholds()
    day = dt.date(2026, 1, 5)
    for ahead, listed, ok in ((20, 10, True), (21, 11, True), (19, 10, False), (20, 9, False)):
        start = day + dt.timedelta(days=ahead)
        end = start + dt.timedelta(days=listed)

        def both(start=start, end=end):  # as disposal.listing_gates applies them
            land_gates.require_land_announcement(announced_on=day, listing_start=start, t=t)
            land_gates.require_land_listing(listing_start=start, listing_end=end, t=t)

        if ok:
            both()
        else:
            with pytest.raises(GateRefused) as exc:
                both()
            assert "MLR Order 39" in exc.value.text


# --- Amount plausibility --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "ok"),
    [
        ("500000.00", True),  # exactly half the appraisal
        ("499999.99", False),  # a fen below
        ("500000.01", True),
        ("5000000.00", True),  # exactly five times
        ("5000000.01", False),
        ("100.00", False),  # the abuse: 100 typed as yuan for 100 万元 (0.01 %)
    ],
)
def test_amount_plausibility_at_its_thresholds(amount, ok):
    t = Thresholds()
    call = {"amount": D(amount), "appraised": D("1000000.00"), "t": t, "field": "reserve_price"}
    if ok:
        assert gates.require_plausible_amount(**call) == ""
        return
    with pytest.raises(GateRefused) as exc:
        gates.require_plausible_amount(**call)
    assert exc.value.rule.code == "amount_implausible" and exc.value.field == "reserve_price"
    assert "confirm_amount" in exc.value.unblock and "万元" in exc.value.text
    note = gates.require_plausible_amount(**call, confirmed=True)
    assert "confirmed" in note and amount[:3] in note.replace(",", "")


def test_no_appraisal_no_judgement():
    assert (
        gates.require_plausible_amount(
            amount=D("1"), appraised=None, t=Thresholds(), field="deal_price"
        )
        == ""
    )


# --- Deferred payment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "security", "rule"),
    [
        ("3.00", "BG-1", None),
        ("3.01", "BG-1", None),
        ("2.99", "BG-1", "deferred_interest_low"),
        (None, "BG-1", "deferred_interest_low"),
        ("3.00", "", "deferred_security_missing"),
    ],
)
def test_deferred_terms_at_their_thresholds(rate, security, rule):
    call = {"rate_pct": None if rate is None else D(rate), "security": security, "t": Thresholds()}
    if rule is None:
        gates.require_deferred_terms(**call)
        return
    with pytest.raises(GateRefused) as exc:
        gates.require_deferred_terms(**call)
    assert exc.value.rule.code == rule and "Order 32 art. 28" in exc.value.text


def test_deferred_interest_on_the_declining_balance():
    rows = [
        (dt.date(2026, 1, 1), D("300")),
        (dt.date(2026, 7, 2), D("350")),  # 182 days on 700
        (dt.date(2027, 1, 1), D("350")),  # 183 days on 350
    ]
    out = gates.deferred_interest(rows, D("3.65"))
    assert out == [(dt.date(2026, 7, 2), D("12.74")), (dt.date(2027, 1, 1), D("6.41"))]
    assert gates.deferred_interest(rows[:1], D("5")) == []


@pytest.mark.parametrize(
    ("value", "who"),
    [("1000000.00", "department"), ("1000000.01", "finance_bureau"), ("999999.99", "department")],
)
def test_the_local_approval_limit_by_value(value, who):
    assert gates.approval_authority(D(value), Thresholds()) == who


def test_the_project_shows_who_approves_an_administrative_disposal(world):
    from panhuo.pricing.selectors import applied_rules

    big = _package(world, [AssetFactory(unit=world.unit, appraisal="1000000.01")])
    assert applied_rules(big)["approval_authority"] == "finance_bureau"
    small = _package(world, [AssetFactory(unit=world.unit, appraisal="1000000.00")])
    assert applied_rules(small)["approval_authority"] == "department"
    soe = _package(world, [AssetFactory(unit=world.unit2, appraisal="9000000.00")])
    assert applied_rules(soe)["approval_authority"] == ""
