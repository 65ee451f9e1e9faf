"""The splitting rule: the assets of one site in packages each just under the approval or
disclosure threshold, together over it."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from panhuo.flags import splitting
from panhuo.flags.hits import Scope, defaults_only
from panhuo.flags.tests.records import asset, project
from panhuo.pricing.models import PriceRuleSet

DEFAULTS = defaults_only(splitting.DEFAULTS)


def _site(world, n, deal, address="8 Binjiang Road", status="listed", unit=None):
    """``n`` packages of one asset each at ``address``, each sold or offered at ``deal``."""
    return [
        project(world, [asset(world, unit=unit, address=address)], status=status, deal=D(deal))
        for _ in range(n)
    ]


def test_packages_of_one_site_just_under_the_approval_limit_are_flagged(world):
    # Three lots of 950,000 from one yard: each under the 1,000,000 finance-bureau limit.
    lots = _site(world, 3, "950000.00", status="concluded")
    _site(world, 2, "950000.00", address="1 Other Street", unit=world.unit2)  # 1.9 m
    hits = splitting.split_sales(Scope(path=world.district.path), DEFAULTS)
    assert sorted(h.figures["packages"] for h in hits) == [2, 3]
    mine = next(h for h in hits if h.figures["packages"] == 3)
    assert mine.figures["threshold"] == "finance_approval_above"
    assert (mine.figures["threshold_amount"], mine.figures["total"]) == (
        D("1000000.00"),
        D("2850000.00"),
    )
    assert set(mine.records) == {p.package for p in lots}


def test_not_flagged_inside_the_margin_or_alone_or_at_another_address(world):
    _site(world, 3, "850000.00")  # 15 % under: outside the 10 % margin
    _site(world, 1, "990000.00", address="2 Lone Road")  # alone
    project(world, [asset(world, address="3 A Road")], deal=D("990000.00"), status="listed")
    project(world, [asset(world, address="4 B Road")], deal=D("990000.00"), status="listed")
    assert splitting.split_sales(Scope(), DEFAULTS) == []
    # A jurisdiction allowing a 20 % margin sees the first site split.
    wide = splitting.split_sales(Scope(), lambda r, j: {"margin_pct": D("20"), "min_packages": 2})
    assert [h.figures["packages"] for h in wide] == [3]


def test_the_jurisdictions_approval_limit_moves_the_threshold(world):
    _site(world, 2, "480000.00")
    assert splitting.split_sales(Scope(), DEFAULTS) == []
    PriceRuleSet.objects.create(
        jurisdiction=world.district,
        rule_class="administrative",
        finance_approval_above=D("500000.00"),
    )
    [hit] = splitting.split_sales(Scope(), DEFAULTS)
    assert hit.figures["threshold_amount"] == D("500000.00")


def test_just_under_disclosure_band_and_write_scope(world):
    # Two lots of 9.5 m from one site: under the 10 m band of Order 32's longer disclosure.
    lots = _site(world, 2, "9500000.00")
    [hit] = splitting.split_sales(Scope(), DEFAULTS)
    assert hit.figures["threshold"] == "physical_mid_to"
    touched = Scope(asset_ids=frozenset({lots[0].package.items.get().asset_id}))
    assert len(splitting.split_sales(touched, DEFAULTS)) == 1
    other = project(world, [asset(world, address="elsewhere")], status="listed")
    assert splitting.split_sales(Scope(project_ids=frozenset({other.pk})), DEFAULTS) == []


@given(
    value=st.decimals("0", "2000000", places=2),
    threshold=st.decimals("1", "2000000", places=2),
    margin=st.decimals("0", "100", places=2),
)
def test_just_under_is_the_band_below_the_threshold(value, threshold, margin):
    inside = splitting.just_under(value, threshold, margin)
    assert inside == (value < threshold and value >= threshold * (100 - margin) / 100)
    if margin == 0:
        assert not inside
