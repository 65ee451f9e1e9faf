"""The value rules: a value-destroying sale (the sold assets' net yield above the rate of the
debt their proceeds repaid) and an essential or income-producing asset sold while idle ones of
its unit wait."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.disposal.models import PackageItem
from panhuo.finance.models import Debt
from panhuo.flags import value
from panhuo.flags.hits import Scope, defaults_only
from panhuo.flags.labels import Ref
from panhuo.flags.tests.records import asset, debt, project, repay
from panhuo.register.models import Asset

DEFAULTS = defaults_only(value.DEFAULTS)


def test_a_sale_yielding_more_than_the_debt_costs_is_flagged_with_its_figures(world):
    # Rent 90,000 less 10,000 costs on a 1,000,000 sale: 8 % a year, against a 3.5 % loan.
    a = asset(world, annual_income=D("90000.00"), annual_holding_cost=D("10000.00"))
    p = project(world, [a], deal=D("1000000.00"))
    cheap, dear = debt(world, "3.50"), debt(world, "9.00")
    repay(world, p, cheap, D("600000.00"))
    repay(world, p, dear, D("400000.00"))
    [hit] = value.destroying_sales(Scope(path=world.district.path), DEFAULTS)
    f = hit.figures
    assert hit.subject == p and hit.rule == value.DESTROYING
    assert (f["net_income"], f["yield_pct"]) == (D("80000.00"), D("8.00"))
    # Only the cheap debt is below the yield: 600,000 at 3.5 % saves 21,000 against 48,000 lost.
    assert [d["code"] for d in f["debts"]] == [cheap.code]
    assert (f["repaid"], f["interest_saved"], f["income_forgone"]) == (
        D("600000.00"),
        D("21000.00"),
        D("48000.00"),
    )
    # The records behind it by type and id (loaded only for the flags written).
    behind = {(r._meta.label_lower, r.pk) if hasattr(r, "_meta") else r[:2] for r in hit.records}
    assert {("register.asset", a.pk), ("finance.debt", cheap.pk)} <= behind
    assert ("finance.debt", dear.pk) not in behind


def test_no_flag_inside_the_threshold_or_when_the_repayment_was_reversed(world):
    a = asset(world, annual_income=D("30000.00"), annual_holding_cost=D("0.00"))
    p = project(world, [a], deal=D("1000000.00"))  # 3 % a year
    repay(world, p, debt(world, "3.00"), D("500000.00"))  # equal: not above
    repay(world, p, debt(world, "2.00"), D("500000.00"), reversed_=True)  # undone
    assert value.destroying_sales(Scope(), DEFAULTS) == []
    # A loss-making asset never flags, whatever the debt.
    b = asset(world, annual_income=D("1000.00"), annual_holding_cost=D("5000.00"))
    q = project(world, [b], deal=D("10000.00"))
    repay(world, q, debt(world, "0.10"), D("10000.00"))
    assert value.destroying_sales(Scope(), DEFAULTS) == []


def test_a_jurisdictions_margin_changes_the_outcome(world):
    a = asset(world, annual_income=D("50000.00"))
    p = project(world, [a], deal=D("1000000.00"))  # 5 %
    repay(world, p, debt(world, "4.00"), D("1000000.00"))
    assert len(value.destroying_sales(Scope(), DEFAULTS)) == 1

    def district_margin(rule, jur):
        return {"margin_pp": D("1.50") if jur == world.district.pk else D("0")}

    assert value.destroying_sales(Scope(), district_margin) == []
    # The scope of another place sees nothing of this one.
    assert value.destroying_sales(Scope(path=world.other_district.path), DEFAULTS) == []


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    income=st.integers(0, 200_000),
    cost=st.integers(0, 100_000),
    deal=st.integers(1, 5_000_000),
    rate=st.decimals("0", "12", places=3),
    margin=st.decimals("0", "3", places=2),
)
def test_flagged_if_and_only_if_the_yield_is_above_the_rate(
    world, income, cost, deal, rate, margin
):
    """The invariant, through the database: flagged exactly when net income × 100 ÷ price
    (to the cent of a percent) exceeds the rate plus the margin."""
    a = Asset.objects.filter(code="HYP").first() or asset(world, code="HYP")
    if not PackageItem.objects.filter(asset=a).exists():
        repay(world, project(world, [a]), debt(world, "1.00"), D("1.00"))
    Asset.objects.filter(pk=a.pk).update(annual_income=income, annual_holding_cost=cost)
    item = PackageItem.objects.select_related("package").get(asset=a)
    item.package.projects.update(deal_price=deal)
    Debt.objects.filter(allocations__receipt__project__package=item.package).update(rate=rate)
    hits = value.destroying_sales(Scope(), lambda r, j: {"margin_pp": margin})
    yield_pct = (D(income - cost) * 100 / D(deal)).quantize(D("0.01"))
    assert bool(hits) == (income > cost and yield_pct > rate + margin)


def test_an_income_producing_asset_sold_while_idle_ones_wait(world):
    today = dt.date(2026, 6, 1)
    earner = asset(world, status="leased_out", annual_income=D("50000.00"))
    p = project(world, [earner], status="listed")
    idle = asset(world, status="idle", idle_since=dt.date(2025, 1, 1), book_value=D("800.00"))
    asset(world, status="idle", idle_since=dt.date(2026, 5, 1))  # idle one month only
    asset(world, unit=world.unit2, status="idle", idle_since=dt.date(2020, 1, 1))  # other unit
    [hit] = value.sold_while_idle(Scope(path=world.district.path), DEFAULTS, today)
    assert hit.subject == p and hit.figures["idle_waiting"] == 1
    assert hit.figures["idle_book_value"] == D("800.00")
    assert Ref("register.asset", idle.pk, idle.unit_id) in hit.records
    # A stricter jurisdiction (two must wait) does not flag; nor does an idle asset already
    # in a live package (it is being sold, not waiting).
    assert (
        value.sold_while_idle(Scope(), lambda r, j: {"idle_months": 6, "min_idle": 2}, today) == []
    )
    project(world, [idle], status="listed")
    assert value.sold_while_idle(Scope(), DEFAULTS, today) == []


def test_an_asset_found_essential_after_it_was_packaged_counts(world):
    """The database keeps an essential asset out of a live package; one sold and classed
    essential afterwards (the sale showed what it served) is flagged while idle assets of its
    unit wait."""
    today = dt.date(2026, 6, 1)
    a = asset(world, status="in_use")
    p = project(world, [a], status="concluded")
    asset(world, status="idle", idle_since=dt.date(2025, 1, 1))
    assert value.sold_while_idle(Scope(), DEFAULTS, today) == []
    Asset.objects.filter(pk=a.pk).update(criticality="essential")
    [hit] = value.sold_while_idle(Scope(), DEFAULTS, today)
    assert hit.subject == p and hit.figures["criticality"] == "essential"


def test_an_ordinary_asset_sold_is_not_flagged_and_the_write_scope_narrows(world):
    today = dt.date(2026, 6, 1)
    plain = asset(world, status="in_use")
    project(world, [plain], status="listed")
    asset(world, status="idle", idle_since=dt.date(2024, 1, 1))
    assert value.sold_while_idle(Scope(), DEFAULTS, today) == []
    earner = asset(world, status="leased_out", annual_income=D("12000.00"))
    p = project(world, [earner], status="approved")
    assert [
        h.subject
        for h in value.sold_while_idle(Scope(asset_ids=frozenset({earner.pk})), DEFAULTS, today)
    ] == [p]
    assert value.sold_while_idle(Scope(asset_ids=frozenset({plain.pk})), DEFAULTS, today) == []
