"""The first price and process rules: each fires on a case and not just inside its threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.services import thresholds_set
from panhuo.flags.tests.builders import sale

pytestmark = pytest.mark.django_db


def hits(rule: str) -> set[str]:
    engine.recompute(rules=[rule])
    return set(
        Flag.objects.filter(rule=rule, status="open").values_list("subject_label", flat=True)
    )


def test_relist_below_floor_even_when_approved(world):
    low = sale(world, rounds=[{}, {"reserve": Decimal("899999.99")}])
    at = sale(world, rounds=[{}, {"reserve": Decimal("900000.00")}])
    first_low = sale(world, rounds=[{"reserve": Decimal("500000.00")}])  # a first listing
    found = hits("relist_below_floor")
    assert found == {str(low.rounds.get(number=2))}
    assert str(at.rounds.get(number=2)) not in found and str(first_low.rounds.get().pk) not in set(
        Flag.objects.values_list("subject_id", flat=True)
    )
    flag = Flag.objects.get(rule="relist_below_floor")
    assert flag.evidence["ratio"] == "90.0" and flag.evidence["round"] == 2


def test_single_bidder_and_its_threshold(world):
    sold = {"result": "sold", "deal_price": Decimal("1000000.00"), "buyer": "Buyer Ltd",
            "ended_on": None}  # fmt: skip
    one = sale(world, rounds=[{**sold, "bidders": 1}])
    two = sale(world, rounds=[{**sold, "bidders": 2}])
    assert hits("single_bidder") == {str(one.rounds.get())}
    # A place that wants three bidders flags the sale with two.
    thresholds_set(actor=world.user("office"), jurisdiction=world.district,
                   rule="single_bidder", values={"max_bidders": "2"})  # fmt: skip
    assert hits("single_bidder") == {str(one.rounds.get()), str(two.rounds.get())}
    flag = Flag.objects.get(rule="single_bidder", subject_id=str(two.rounds.get().pk))
    assert "2 qualified bidder" in flag.explanation
