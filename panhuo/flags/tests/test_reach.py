"""What one write reaches: the subjects the people, splitting and value rules recompute."""

from __future__ import annotations

from decimal import Decimal as D

from panhuo.flags import reach
from panhuo.flags.tests.records import asset, bidder, debt, project, register, relate, repay


def test_writes_reach_the_sales_they_change(world):
    a, b = asset(world), asset(world, unit=world.unit2)
    p, q = project(world, [a]), project(world, [b])
    d = debt(world, "3.00")
    r = repay(world, p, d, D("100.00"))
    assert reach.projects_of_assets([str(a.pk)]) == [p.pk]
    assert reach.projects_of_receipts([str(r.pk)]) == [p.pk]
    assert reach.projects_of_allocations([str(r.allocations.get().pk)]) == [p.pk]
    assert reach.projects_of_debts([str(d.pk)]) == [p.pk]
    # An asset of unit 1 falling idle reaches every sale of unit 1, not unit 2's.
    assert reach.projects_of_units_of_assets([str(asset(world).pk)]) == [p.pk]
    x = bidder(world)
    register(q, x)
    rel = relate(x, world.unit)
    assert reach.projects_of_bidders([str(x.pk)]) == [q.pk]
    assert reach.projects_of_relations([str(rel.pk)]) == [q.pk]


def test_a_buyers_deals_and_a_sites_packages(world):
    x = bidder(world)
    mine = [project(world, [asset(world)], buyer=x) for _ in range(2)]
    other = project(world, [asset(world)], jurisdiction=world.other_district, buyer=x)
    project(world, [asset(world)])  # someone else's
    assert reach.deals_of_same_buyers([str(mine[0].pk)]) == sorted(p.pk for p in mine)
    assert other.pk not in reach.deals_of_same_buyers([str(mine[1].pk)])
    here = [asset(world, address="5 Jiefang Rd"), asset(world, address="5  jiefang rd")]
    lots = [project(world, [a]) for a in here]
    project(world, [asset(world, address="6 Jiefang Rd")])
    project(world, [asset(world, unit=world.unit2, address="5 Jiefang Rd")])  # another unit
    want = sorted(p.package_id for p in lots)
    assert reach.sites_of_assets([str(here[0].pk)]) == want
    assert reach.sites_of_projects([str(lots[1].pk)]) == want
    assert reach.sites_of_packages([str(lots[0].package_id)]) == want
