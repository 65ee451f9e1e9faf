"""Finding assets: filters agree with the record's own derived figures."""

import datetime as dt
from decimal import Decimal

import pytest

from panhuo.core.testing import AssetFactory
from panhuo.register.models import ClassificationCode, Encumbrance
from panhuo.register.selectors import asset_list, months_before


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 15), 13, dt.date(2024, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_filters(world):
    today = dt.date.today()
    old = AssetFactory(
        unit=world.unit,
        status="idle",
        idle_since=months_before(today, 14),
        appraised_value=Decimal("900.00"),
    )
    young = AssetFactory(unit=world.unit, status="idle", idle_since=months_before(today, 2))
    used = AssetFactory(unit=world.unit, status="in_use", idle_since=None)
    Encumbrance.objects.create(asset=young, kind="mortgage", holder="Bank")
    office = world.user("office")
    ids = lambda qs: {a.pk for a in qs}  # noqa: E731
    assert ids(asset_list(office, min_idle_months=12)) == {old.pk}
    assert ids(asset_list(office, min_idle_months=1)) == {old.pk, young.pk}
    for a in asset_list(office, min_idle_months=12):
        assert a.months_idle() >= 12
    assert ids(asset_list(office, encumbered=True)) == {young.pk}
    assert ids(asset_list(office, encumbered=False)) == {old.pk, used.pk}
    assert ids(asset_list(office, max_appraised=Decimal("1000"))) == {old.pk}
    vehicles = ClassificationCode.objects.get(code="2030000")
    used.classification = vehicles
    used.save()
    assert ids(asset_list(office, classification="2")) == {used.pk}
    assert ids(asset_list(world.user("outsider_office"), encumbered=False)) == set()
