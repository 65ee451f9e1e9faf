"""The price rules the disposal guard applies, as gates (issue 12): each at, just below and just
above its threshold, refusing with its rule, source and way through, in English and Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import translation

from panhuo.core.gates import RULES, GateRefused
from panhuo.pricing import gates, rules
from panhuo.pricing.rules import Thresholds

T = Thresholds()
CENT = D("0.01")
A = D("1000000.00")
DAY = dt.timedelta(days=1)


def refused(fn, **kw) -> GateRefused:
    with pytest.raises(GateRefused) as exc:
        fn(**kw)
    e = exc.value
    assert e.rule.code in RULES and str(e.rule.source) in e.text and e.unblock
    return e


def test_first_listing_reserve_at_below_and_above_the_appraisal():
    for reserve in (A, A + CENT):
        assert gates.require_first_listing_reserve(reserve=reserve, appraised=A, t=T) is None
    e = refused(gates.require_first_listing_reserve, reserve=A - CENT, appraised=A, t=T)
    assert e.rule.code == "reserve_below_appraisal" and e.field == "reserve_price"
    assert "100.00 %" in e.text and "1,000,000.00" in e.unblock


@pytest.mark.parametrize("field", ["deal_price", "reserve_price"])
def test_approval_floor_at_below_and_above_ninety_percent(field):
    floor = D("900000.00")
    kw = {"appraised": A, "t": T, "field": field}
    for price in (floor, floor + CENT):
        assert gates.require_floor_approval(price=price, approved=False, **kw) is None
    e = refused(gates.require_floor_approval, price=floor - CENT, approved=False, **kw)
    assert e.rule.code == "below_approval_floor" and e.field == field
    assert "90.00 %" in e.text and "written approval" in e.text
    assert ("deal price" if field == "deal_price" else "relisting reserve") in e.text
    # The head's written approval lets it through.
    assert gates.require_floor_approval(price=floor - CENT, approved=True, **kw) is None


def test_appraisal_validity_at_below_and_above_its_last_day():
    base = dt.date(2026, 2, 28)
    last = rules.appraisal_expires_on(base, T)
    assert last == dt.date(2027, 2, 27)
    kw = {"base_date": base, "valid_until": None, "t": T, "label": "asset A1"}
    for on in (base, last - DAY, last):
        assert gates.require_current_appraisal(on=on, **kw) is None
    e = refused(gates.require_current_appraisal, on=last + DAY, **kw)
    assert e.rule.code == "appraisal_stale" and "12 months" in e.text and "2027-02-27" in e.text
    assert "dated after" in refused(gates.require_current_appraisal, on=base - DAY, **kw).text
    # The report's own shorter validity counts.
    short = {**kw, "valid_until": dt.date(2026, 12, 31)}
    assert gates.require_current_appraisal(on=dt.date(2026, 12, 31), **short) is None
    refused(gates.require_current_appraisal, on=dt.date(2027, 1, 1), **short)


def test_reappraisal_at_below_and_above_twelve_months():
    first = dt.date(2026, 1, 31)
    deadline = rules.add_months(first, T.reappraise_after_months)
    kw = {"first_disclosed_on": first, "appraisal_base_date": first - DAY, "t": T}
    assert gates.require_reappraisal(on=deadline - DAY, **kw) is None
    for on in (deadline, deadline + DAY):
        e = refused(gates.require_reappraisal, on=on, **kw)
        assert e.rule.code == "reappraisal_due" and "12 months" in e.text
    # A new appraisal dated after the first disclosure meets it.
    renewed = {**kw, "appraisal_base_date": first + DAY}
    assert gates.require_reappraisal(on=deadline + DAY, **renewed) is None
    assert gates.require_reappraisal(on=deadline, first_disclosed_on=None,
                                     appraisal_base_date=None, t=T) is None  # fmt: skip


def test_appraisal_required_for_selling_channels_only():
    assert gates.require_appraisal(channel="auction", missing=[]) is None
    assert gates.require_appraisal(channel="lease", missing=["A1"]) is None
    e = refused(gates.require_appraisal, channel="auction", missing=["A1", "A2"])
    assert e.rule.code == "appraisal_required" and "A1, A2" in e.text


def test_refusals_in_chinese():
    with translation.override("zh-hans"):
        e = refused(gates.require_floor_approval, price=D("1"), appraised=A, approved=False, t=T)
        assert "书面同意" in e.text and "32号令" not in e.rule.code
        e = refused(gates.require_first_listing_reserve, reserve=D("1"), appraised=A, t=T)
        assert "首次挂牌" in e.text
        e = refused(gates.require_appraisal, channel="auction", missing=["A1"])
        assert "评估" in e.text
