"""The deadlines the channels ask for: disclosure, payment and result notice of a project, in
the working days of its jurisdiction and under its price rules."""

import datetime as dt
from decimal import Decimal as D

from panhuo.core import workdays
from panhuo.core.models import CalendarDay
from panhuo.core.testing import AssetFactory
from panhuo.disposal import services as ds
from panhuo.pricing import rules
from panhuo.pricing import services as ps

MONDAY = dt.date(2025, 3, 3)


def project(w, *, kind="building", reserve="2000000.00"):
    asset = AssetFactory(unit=w.unit, kind=kind)
    package = ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel="auction",
        asset_ids=[asset.pk],
    )
    return ds.project_create(actor=w.user("office"), package=package, reserve_price=D(reserve))


def test_disclosure_due_by_band_and_kind(world):
    mid = project(world)
    assert rules.disclosure_due(mid, MONDAY) == workdays.add_working_days(MONDAY, 10)
    high = project(world, reserve="10000000.01")
    assert rules.disclosure_due(high, MONDAY) == workdays.add_working_days(MONDAY, 20)
    equity = project(world, kind="equity")
    assert rules.disclosure_due(equity, MONDAY) == workdays.add_working_days(MONDAY, 20)


def test_deadlines_follow_the_jurisdictions_calendar_and_rules(world):
    p = project(world)
    before = rules.notice_due(p, MONDAY)
    assert before == workdays.add_working_days(MONDAY, 5)
    # A local holiday inside the period pushes the end one working day later.
    CalendarDay.objects.create(
        jurisdiction=world.district, date=MONDAY + dt.timedelta(1), working=False
    )
    assert rules.notice_due(p, MONDAY) == workdays.add_working_days(before, 1)
    ps.price_rules_update(
        actor=world.user("head"),
        jurisdiction=world.district,
        data={"notice_days": 7},
        rule_class="administrative",  # the fixture's unit is a department
    )
    assert rules.notice_due(p, MONDAY) > workdays.add_working_days(before, 1)


def test_payment_due(world):
    p = project(world)
    due = rules.payment_due(p, MONDAY)
    assert due.full_by == due.down_by == workdays.add_working_days(MONDAY, 5)
    assert due.down_pct == D("30.00") and due.rest_by == dt.date(2026, 3, 3)
