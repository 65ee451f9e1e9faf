"""Land-use-right sale proceeds go to the government-fund budget (issue 12, item 3): a receipt
of a land sale recorded as ordinary non-tax revenue is refused, naming the rule."""

from __future__ import annotations

import pytest
from django.utils import timezone

from panhuo.core.gates import GateRefused
from panhuo.core.testing import AssetFactory, concluded_project
from panhuo.core.tests.api_support import fingerprint
from panhuo.finance import services as fs


def _receipt(w, project, budget_class):
    return fs.receipt_create(
        actor=w.user("finance"), project=project, amount="1000.00",
        received_on=timezone.localdate(), voucher="V-LAND", budget_class=budget_class,
    )  # fmt: skip


def test_land_sale_proceeds_go_to_the_government_fund(world):
    land = concluded_project(world, assets=[AssetFactory(unit=world.unit, kind="land")])
    before = fingerprint()
    with pytest.raises(GateRefused) as exc:
        _receipt(world, land, "non_tax")
    assert fingerprint() == before
    assert exc.value.rule.code == "land_proceeds_not_fund" and exc.value.field == "budget_class"
    assert "government-fund" in exc.value.unblock
    assert _receipt(world, land, "government_fund").budget_class == "government_fund"


def test_other_sales_may_be_non_tax_revenue(world):
    building = concluded_project(world)
    assert _receipt(world, building, "non_tax").budget_class == "non_tax"
