"""The hold/lease/sell arithmetic: a worked example checked by hand, and its invariants."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.decisions import npv
from panhuo.decisions.npv import Figure, Inputs


def _inputs(*, value="1000000", net="50000", cost="10000", rent="80000", rate="5",
            years=2, flows=(), debt_rate=None, **kw) -> Inputs:  # fmt: skip
    f = lambda v, s="default": Figure(D(str(v)), s)  # noqa: E731
    base = dict(
        discount_rate_pct=f(rate), horizon_years=f(years), net_income=f(net, "register"),
        holding_cost=f(cost, "register"), value=f(value, "valuation"),
        market_rent=None if rent is None else f(rent, "valuation"),
        vacancy_pct=f(10), lease_cost_pct=f(5), forced_sale_discount_pct=f(10),
        sale_cost_pct=f(0), price_factor=f(1), debt_flows=flows,
        debt_rate_pct=None if debt_rate is None else f(debt_rate, "debt"),
    )  # fmt: skip
    base.update({k: f(v) for k, v in kw.items()})
    return Inputs(**base)


def test_a_worked_example_checked_by_hand():
    # Worth 1,000,000, nets 50,000 a year (5 %), discounted at 5 % over 2 years: holding is
    # worth exactly its value. Leasing: 80,000 × 0.9 × 0.95 − 10,000 = 58,400 a year:
    # 58,400/1.05 + 58,400/1.1025 + 1,000,000/1.1025 = 55,619.05 + 52,970.52 + 907,029.48.
    # Selling at a 10 % discount nets 900,000, which repays all 600,000 of a 5 % bullet debt
    # and saves its two interest payments: 30,000/1.05 + 30,000/1.1025 = 55,782.31.
    flows = ((D(1), D(0), D(30000)), (D(2), D(600000), D(30000)))
    r = npv.decide(_inputs(flows=flows))
    assert (r.hold, r.lease) == (D("1000000.00"), D("1015619.05"))
    assert (r.proceeds, r.interest_saved, r.sell) == (D("900000.00"), D("55782.31"), D("955782.31"))
    assert r.best == "lease" and r.value_destroying and r.value_destroyed == D("59836.74")
    assert "59836.74" in npv.verdict(r)
    # The table's middle cell is the same question at the same rate and price.
    assert r.table[2][2] == D("-59836.74")
    # Without a rent appraisal leasing is not priced; selling for 1.5 × the value wins.
    r = npv.decide(_inputs(flows=flows, rent=None, price_factor="1.5"))
    assert r.lease is None and r.best == "sell" and r.value_destroyed == 0


@pytest.mark.parametrize(("field", "value"), [("discount_rate_pct", "90"), ("vacancy_pct", "NaN"),
                                              ("price_factor", "0")])  # fmt: skip
def test_an_implausible_rate_is_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError) as exc:
        npv.decide(_inputs(**{field: value}))
    assert field in exc.value.message_dict


money = st.decimals(min_value=0, max_value=10**8, places=2)
rates = st.decimals(min_value=D("0.5"), max_value=20, places=2)


@settings(max_examples=40, deadline=None)
@given(value=money.filter(lambda v: v > 0), net=money, r1=rates, r2=rates,
       years=st.integers(1, 30), debt_rate=rates, debt_rate2=rates)  # fmt: skip
def test_values_move_the_right_way(value, net, r1, r2, years, debt_rate, debt_rate2):
    """Holding and leasing are worth less at a higher discount rate; a sale is worth more the
    dearer the debt it repays; the best option is never worth less than selling."""
    low, high = sorted((r1, r2))
    i = _inputs(value=value, net=net, years=years)
    assert npv.hold_npv(i, high) <= npv.hold_npv(i, low)
    assert npv.lease_npv(i, high) <= npv.lease_npv(i, low)

    def sell(rate):
        flows = tuple((D(t), D(0) if t < 5 else value, value * rate / 100) for t in range(1, 6))
        return npv.sell_npv(_inputs(value=value, net=net, flows=flows), low, D(1))

    cheap, dear = sorted((debt_rate, debt_rate2))
    assert sell(cheap) <= sell(dear)
    result = npv.decide(i)
    best = {"hold": result.hold, "lease": result.lease, "sell": result.sell}[result.best]
    assert best >= result.sell and result.value_destroyed >= 0
