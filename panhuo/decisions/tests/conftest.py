"""Fixtures shared by the decisions' tests: an income-producing asset with its appraisals
(``asset``, from the decision pages' tests) and a pipeline of one package against a debt."""

import datetime as dt
from decimal import Decimal as D

import pytest

from panhuo.core.testing import AssetFactory, appraise
from panhuo.decisions.tests.test_decision_pages import _debt, asset  # noqa: F401 (fixture)
from panhuo.disposal.models import Package, PackageItem


@pytest.fixture
def pipeline(world):
    """An auction package appraised at 5m with no project (planned in the fourth quarter) and a
    3m bullet debt at 4 % (120,000 interest each 1 January)."""
    a = AssetFactory(unit=world.unit)
    appraise(a, D("5000000.00"), base_date=dt.date(2026, 3, 1))
    pkg = Package.objects.create(code="PK-R1", name="R", jurisdiction=world.district,
                                 channel="auction", created_by=world.users["office"])  # fmt: skip
    PackageItem.objects.create(package=pkg, asset=a)
    _debt(world, "DR", "4.0")
