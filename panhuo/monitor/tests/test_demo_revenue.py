"""The demo's revenue has the 2024 shape of DESIGN.md, and the monitor's alerts fire on it."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import pytest

from panhuo.monitor.importing import revenue_import
from panhuo.monitor.selectors import monitor_summary
from panhuo.site.demo import seed_monitor

pytestmark = pytest.mark.django_db
#: A demo seeded at the end of June 2026: figures from January 2022 to May 2026.
SEEDED_ON = dt.date(2026, 6, 30)


@pytest.mark.parametrize(("index", "land_alert"), [(0, True), (1, False)])
def test_demo_figures_make_the_2024_alerts_fire(world, index, land_alert):
    text = seed_monitor.figures_csv("D1", index, random.Random(7), SEEDED_ON)
    report = revenue_import(
        actor=world.user("finance"), stream=io.BytesIO(text.encode()), commit=True
    )
    assert report.committed and report.rejected == 0
    months = 12 * 4 + seed_monitor.last_month(SEEDED_ON).month
    assert report.new == months * len(seed_monitor.BASE)
    s = monitor_summary(world.user("finance"), world.district, 2024)
    assert s.through == 12
    assert Decimal("-7") < s.row("tax").ytd_growth < Decimal("-4")
    assert Decimal("10") < s.row("non_tax").ytd_growth < Decimal("14")
    assert Decimal("-20") < s.row("land_sales").ytd_growth < Decimal("-16")
    # District magnitudes: billions of yuan of tax a year.
    assert s.row("tax").ytd > Decimal("1e9")
    codes = [a.code for a in s.alerts]
    assert codes[:2] == ["non_tax_outgrows_tax", "fines_outgrows_tax"]
    assert ("land_dependence" in codes) is land_alert
    # Seasonality: land sales bunch in December, tax peaks in January.
    assert s.monthly["fund"][11] > 2 * s.monthly["fund"][1]
    assert s.monthly["tax"][0] > s.monthly["tax"][1]
