"""Each price rule at its threshold, just below it and just above it (pure functions)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panhuo.core import workdays
from panhuo.pricing import rules
from panhuo.pricing.rules import Thresholds

T = Thresholds()
CENT = D("0.01")


def test_defaults_are_the_design_table():
    assert (T.appraisal_validity_months, T.first_listing_reserve_pct, T.approval_floor_pct) == (
        12,
        D("100.00"),
        D("90.00"),
    )
    assert (T.reappraise_after_months, T.disclosure_days, T.disclosure_days_physical_mid) == (
        12,
        20,
        10,
    )
    assert (T.payment_full_days, T.payment_down_pct, T.payment_rest_months, T.notice_days) == (
        5,
        D("30.00"),
        12,
        5,
    )


# --- sales need an appraisal -------------------------------------------------------------------


@pytest.mark.parametrize("channel", sorted(rules.SELLING_CHANNELS))
def test_a_sale_without_an_appraisal_is_refused_naming_the_asset(channel):
    b = rules.sale_needs_appraisal(channel=channel, missing=["A00001"])
    assert b.rule == "appraisal_required" and "A00001" in b.message
    assert rules.sale_needs_appraisal(channel=channel, missing=[]) is None


@pytest.mark.parametrize("channel", ["lease", "concession", "securitisation"])
def test_channels_that_keep_the_asset_need_no_appraisal(channel):
    assert rules.sale_needs_appraisal(channel=channel, missing=["A00001"]) is None


# --- appraisal validity: 12 months from the base date ------------------------------------------


BASE = dt.date(2025, 3, 15)


def test_appraisal_valid_up_to_the_day_before_its_anniversary():
    last = rules.appraisal_expires_on(BASE, T)
    assert last == dt.date(2026, 3, 14)
    assert rules.appraisal_current(base_date=BASE, valid_until=None, on=last, t=T) is None
    assert (
        rules.appraisal_current(base_date=BASE, valid_until=None, on=last - dt.timedelta(1), t=T)
        is None
    )
    b = rules.appraisal_current(base_date=BASE, valid_until=None, on=last + dt.timedelta(1), t=T)
    assert b.rule == "appraisal_stale" and "12 months" in b.message


def test_a_report_with_a_shorter_validity_expires_earlier():
    short = dt.date(2025, 9, 14)
    assert rules.appraisal_current(base_date=BASE, valid_until=short, on=short, t=T) is None
    b = rules.appraisal_current(base_date=BASE, valid_until=short, on=short + dt.timedelta(1), t=T)
    assert b and "2025-09-14" in b.message


def test_validity_is_configurable():
    six = Thresholds(appraisal_validity_months=6)
    assert (
        rules.appraisal_current(base_date=BASE, valid_until=None, on=dt.date(2025, 9, 14), t=six)
        is None
    )
    b = rules.appraisal_current(base_date=BASE, valid_until=None, on=dt.date(2025, 9, 15), t=six)
    assert b and "6 months" in b.message


def test_add_months_clamps_to_the_month_end():
    assert rules.add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert rules.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


# --- first listing: reserve not below 100 % of the appraisal -----------------------------------


def test_reserve_at_first_listing_threshold():
    a = D("5000000.00")
    assert rules.reserve_at_first_listing(reserve=a, appraised=a, t=T) is None
    assert rules.reserve_at_first_listing(reserve=a + CENT, appraised=a, t=T) is None
    b = rules.reserve_at_first_listing(reserve=a - CENT, appraised=a, t=T)
    assert b.rule == "reserve_below_appraisal" and b.field == "reserve_price"
    assert "100.00 %" in b.message and "5,000,000.00" in b.message


def test_reserve_percentage_is_configurable():
    t = Thresholds(first_listing_reserve_pct=D("95"))
    assert rules.reserve_at_first_listing(reserve=D("950"), appraised=D("1000"), t=t) is None
    assert rules.reserve_at_first_listing(reserve=D("949.99"), appraised=D("1000"), t=t)


# --- below 90 %: suspended until written approval ----------------------------------------------


def test_below_approval_floor_threshold():
    a = D("1000000.00")
    floor = D("900000.00")
    assert rules.below_approval_floor(price=floor, appraised=a, approved=False, t=T) is None
    assert rules.below_approval_floor(price=floor + CENT, appraised=a, approved=False, t=T) is None
    b = rules.below_approval_floor(price=floor - CENT, appraised=a, approved=False, t=T)
    assert b.rule == "below_approval_floor" and b.field == "deal_price"
    assert "90.00 %" in b.message and "written approval" in b.message
    assert rules.below_approval_floor(price=floor - CENT, appraised=a, approved=True, t=T) is None
    relist = rules.below_approval_floor(
        price=floor - CENT, appraised=a, approved=False, t=T, field="reserve_price"
    )
    assert relist.field == "reserve_price" and "relisting" in relist.message


@given(
    appraised=st.decimals(min_value=D("0.01"), max_value=D("1e12"), places=2),
    pct=st.decimals(min_value=D("0"), max_value=D("120"), places=2),
)
def test_the_floor_refuses_exactly_the_prices_below_it(appraised, pct):
    """Property: a price is refused iff it is below pct % of the appraisal (to the cent)."""
    t = Thresholds(approval_floor_pct=pct)
    floor = (appraised * pct / 100).quantize(CENT)
    assert rules.below_approval_floor(price=floor, appraised=appraised, approved=False, t=t) is None
    if floor >= CENT:
        assert rules.below_approval_floor(
            price=floor - CENT, appraised=appraised, approved=False, t=t
        )


# --- 12 months without a buyer: re-appraise ----------------------------------------------------


def test_reappraisal_due_at_twelve_months():
    first = dt.date(2025, 5, 10)
    deadline = dt.date(2026, 5, 10)
    old = dt.date(2025, 4, 1)
    kw = {"first_disclosed_on": first, "appraisal_base_date": old, "t": T}
    assert rules.reappraisal_due(on=deadline - dt.timedelta(1), **kw) is None
    b = rules.reappraisal_due(on=deadline, **kw)
    assert b.rule == "reappraisal_due" and "12 months" in b.message
    assert rules.reappraisal_due(on=deadline + dt.timedelta(1), **kw)
    # A fresh appraisal after the first disclosure meets it.
    fresh = {**kw, "appraisal_base_date": first + dt.timedelta(1)}
    assert rules.reappraisal_due(on=deadline + dt.timedelta(1), **fresh) is None
    assert (
        rules.reappraisal_due(first_disclosed_on=None, appraisal_base_date=old, on=deadline, t=T)
        is None
    )


# --- disclosure period in working days ----------------------------------------------------------


@pytest.mark.parametrize(
    ("physical", "value", "days"),
    [
        (True, D("999999.99"), 20),  # below the band: the general period
        (True, D("1000000.00"), 10),  # at the band's lower end
        (True, D("1000000.01"), 10),
        (True, D("9999999.99"), 10),
        (True, D("10000000.00"), 10),  # at its upper end
        (True, D("10000000.01"), 20),  # over 10 m
        (False, D("5000000.00"), 20),  # not a physical asset
    ],
)
def test_disclosure_minimum_by_band(physical, value, days):
    assert rules.disclosure_min_days(physical=physical, value=value, t=T) == days


def test_disclosure_period_counts_working_days():
    start = dt.date(2025, 3, 3)  # a Monday, no holiday for weeks
    ten = workdays.add_working_days(start, 10)
    kw = {"start": start, "physical": True, "value": D("2000000"), "t": T}
    assert rules.disclosure_period_ok(end=ten, **kw) is None
    assert rules.disclosure_period_ok(end=ten + dt.timedelta(1), **kw) is None
    b = rules.disclosure_period_ok(end=ten - dt.timedelta(1), **kw)
    assert b.rule == "disclosure_too_short" and "at least 10" in b.message


def test_disclosure_skips_the_national_day_holiday():
    # 20 working days from 29 Sep 2025 skip the Golden Week (1–8 Oct) and count the
    # shifted Saturday 11 Oct 2025 as a working day.
    start = dt.date(2025, 9, 29)
    end = workdays.add_working_days(start, 20)
    assert end > start + dt.timedelta(days=28)
    assert (
        rules.disclosure_period_ok(start=start, end=end, physical=False, value=D("1"), t=T) is None
    )
    assert rules.disclosure_period_ok(
        start=start, end=end - dt.timedelta(1), physical=False, value=D("1"), t=T
    )


# --- payment terms -----------------------------------------------------------------------------


DEAL = dt.date(2025, 3, 3)  # a Monday


def test_payment_in_full_within_five_working_days():
    fifth = workdays.add_working_days(DEAL, 5)
    kw = {"price": D("1000"), "deal_date": DEAL, "t": T}
    assert rules.payment_terms_ok(paid_in_full_on=fifth - dt.timedelta(1), **kw) is None
    assert rules.payment_terms_ok(paid_in_full_on=fifth, **kw) is None
    b = rules.payment_terms_ok(paid_in_full_on=workdays.add_working_days(DEAL, 6), **kw)
    assert b.rule == "payment_late" and "at most 5" in b.message


def test_instalments_need_thirty_percent_down():
    kw = {
        "price": D("1000000.00"),
        "deal_date": DEAL,
        "t": T,
        "down_paid_on": DEAL,
        "rest_due_on": DEAL + dt.timedelta(days=100),
    }
    assert rules.payment_terms_ok(down_payment=D("300000.00"), **kw) is None
    assert rules.payment_terms_ok(down_payment=D("300000.01"), **kw) is None
    b = rules.payment_terms_ok(down_payment=D("299999.99"), **kw)
    assert b.rule == "down_payment_low" and "30.00 %" in b.message


def test_instalments_rest_within_a_year():
    kw = {
        "price": D("1000"),
        "deal_date": DEAL,
        "t": T,
        "down_payment": D("300"),
        "down_paid_on": DEAL,
    }
    year = dt.date(2026, 3, 3)
    assert rules.payment_terms_ok(rest_due_on=year - dt.timedelta(1), **kw) is None
    assert rules.payment_terms_ok(rest_due_on=year, **kw) is None
    b = rules.payment_terms_ok(rest_due_on=year + dt.timedelta(1), **kw)
    assert b.rule == "instalments_too_long" and "12 months" in b.message


def test_instalments_down_payment_within_five_working_days():
    kw = {
        "price": D("1000"),
        "deal_date": DEAL,
        "t": T,
        "down_payment": D("300"),
        "rest_due_on": DEAL,
    }
    assert rules.payment_terms_ok(down_paid_on=workdays.add_working_days(DEAL, 5), **kw) is None
    b = rules.payment_terms_ok(down_paid_on=workdays.add_working_days(DEAL, 6), **kw)
    assert b.rule == "payment_late" and b.field == "down_paid_on"


def test_no_terms_at_all_is_a_breach():
    b = rules.payment_terms_ok(price=D("1"), deal_date=DEAL, t=T)
    assert b.rule == "payment_terms"


# --- result notice ------------------------------------------------------------------------------


def test_result_notice_five_working_days():
    fifth = workdays.add_working_days(DEAL, 5)
    assert rules.notice_period_ok(start=DEAL, end=fifth, t=T) is None
    assert rules.notice_period_ok(start=DEAL, end=fifth + dt.timedelta(1), t=T) is None
    b = rules.notice_period_ok(start=DEAL, end=fifth - dt.timedelta(1), t=T)
    assert b.rule == "notice_too_short" and "at least 5" in b.message


def test_a_breach_becomes_a_validation_error_naming_rule_and_field():
    err = rules.Breach("notice_too_short", "notice", "up 4 days").error()
    assert err.message_dict == {"notice": ["[notice_too_short] up 4 days"]}
