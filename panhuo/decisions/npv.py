"""Hold, lease or sell: the net present value of each, in Decimal, from inputs that each carry
their source (issue 20, item 1). Pure arithmetic: nothing here reads the database (``inputs``
gathers the figures; the page and the API show them).

* **Hold**: each year's net income (rent earned, or the rent the owner avoids by using it,
  less the holding cost) for the horizon, then the asset's value at the end (terminal value).
* **Lease**: the market rent less vacancy and letting costs, less the holding cost, for the
  horizon, then the terminal value.
* **Sell**: the expected price (the appraised value times the price factor, less the discount
  for a forced or hurried sale), less fees and taxes, plus the interest saved on the debt the
  proceeds repay: the repaid share of each of the debt's scheduled interest payments after the
  day, each discounted to the day.

All rates are percent. Cash flows come at the end of each year; the debt's at their due dates
(``years`` from the day). The flags' ``value_destroying_sale`` rule compares the same net
income's yield on the price with the debt's rate (a one-year view); here the whole horizon is
discounted, so the two agree in sign whenever the horizon is long and the rates steady.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, getcontext
from functools import lru_cache

from django.utils.translation import gettext as _

from panhuo.core.errors import field_error
from panhuo.core.money import CENT

HUNDRED = Decimal(100)
ONE = Decimal(1)

#: Plausible bounds of each rate or factor (inclusive): outside them the input is refused.
BOUNDS = {
    "discount_rate_pct": (Decimal("0.1"), Decimal(30)),
    "vacancy_pct": (Decimal(0), Decimal(95)),
    "lease_cost_pct": (Decimal(0), Decimal(50)),
    "forced_sale_discount_pct": (Decimal(0), Decimal(80)),
    "sale_cost_pct": (Decimal(0), Decimal(30)),
    "price_factor": (Decimal("0.1"), Decimal(3)),
    "horizon_years": (Decimal(1), Decimal(50)),
}


@dataclass(frozen=True)
class Figure:
    """One input and where it came from (``register``, ``valuation``, ``debt``, ``builtin``,
    ``default`` of a place, ``override`` for the asset, ``request``) with a note naming the
    record or the reason."""

    value: Decimal
    source: str
    note: str = ""


@dataclass(frozen=True)
class Inputs:
    discount_rate_pct: Figure
    horizon_years: Figure
    net_income: Figure  # yearly, when held (income or avoided rent, less holding cost)
    holding_cost: Figure  # yearly
    value: Figure  # the appraised value: the price's base and the terminal value
    market_rent: Figure | None  # yearly; None: no rent appraisal, leasing is not priced
    vacancy_pct: Figure
    lease_cost_pct: Figure
    forced_sale_discount_pct: Figure
    sale_cost_pct: Figure
    price_factor: Figure
    #: The debt's scheduled payments after the day: (years from the day, principal, interest).
    debt_flows: tuple[tuple[Decimal, Decimal, Decimal], ...] = ()
    debt_rate_pct: Figure | None = None


def check(inputs: Inputs) -> None:
    """Refuse a rate or factor outside its plausible bounds, naming the field."""
    for name, (low, high) in BOUNDS.items():
        v = getattr(inputs, name).value
        if not v.is_finite() or not low <= v <= high:
            raise field_error(
                name,
                _("%(field)s is %(value)s, outside the plausible range %(low)s to %(high)s.")
                % {"field": name, "value": v, "low": low, "high": high},
            )


@lru_cache(maxsize=1 << 16)
def _factor(rate: str, years: str, _prec: int, _rounding: str) -> Decimal:
    return (ONE + Decimal(rate) / HUNDRED) ** Decimal(years)


def present(amount: Decimal, rate_pct: Decimal, years: Decimal) -> Decimal:
    """``amount`` received ``years`` from now, worth today at ``rate_pct`` a year. The discount
    factor (a Decimal power with a fractional exponent, the costly part) is kept per rate and
    years exactly as written (``4.0`` and ``4`` apart: their text) and per precision and
    rounding, so a cached factor is the very one computed afresh: a debt's schedule is shared
    by its place's assets and by the sensitivity table's cells."""
    ctx = getcontext()
    return amount / _factor(str(rate_pct), str(years), ctx.prec, ctx.rounding)


def annuity(yearly: Decimal, rate_pct: Decimal, years: int) -> Decimal:
    """``yearly`` at the end of each of ``years`` years, worth today."""
    return sum((present(yearly, rate_pct, Decimal(t)) for t in range(1, years + 1)), Decimal(0))


def hold_npv(inputs: Inputs, rate_pct: Decimal) -> Decimal:
    years = int(inputs.horizon_years.value)
    return annuity(inputs.net_income.value, rate_pct, years) + present(
        inputs.value.value, rate_pct, Decimal(years)
    )


def lease_net_rent(inputs: Inputs) -> Decimal | None:
    """The yearly rent after vacancy and letting costs, less the holding cost."""
    if inputs.market_rent is None:
        return None
    kept = (ONE - inputs.vacancy_pct.value / HUNDRED) * (
        ONE - inputs.lease_cost_pct.value / HUNDRED
    )
    return inputs.market_rent.value * kept - inputs.holding_cost.value


def lease_npv(inputs: Inputs, rate_pct: Decimal) -> Decimal | None:
    net = lease_net_rent(inputs)
    if net is None:
        return None
    years = int(inputs.horizon_years.value)
    return annuity(net, rate_pct, years) + present(inputs.value.value, rate_pct, Decimal(years))


def net_proceeds(inputs: Inputs, price_factor: Decimal) -> Decimal:
    """The price after the forced-sale discount, less fees and taxes."""
    price = (
        inputs.value.value * price_factor * (ONE - inputs.forced_sale_discount_pct.value / HUNDRED)
    )
    return price * (ONE - inputs.sale_cost_pct.value / HUNDRED)


def interest_saved(inputs: Inputs, proceeds: Decimal, rate_pct: Decimal) -> Decimal:
    """The repaid share of each scheduled interest payment after the day, worth today. The
    share is the proceeds over the principal still scheduled (at most all of it)."""
    remaining = sum((p for _t, p, _i in inputs.debt_flows), Decimal(0))
    if remaining <= 0 or proceeds <= 0:
        return Decimal(0)
    share = min(proceeds, remaining) / remaining
    return sum((present(i * share, rate_pct, t) for t, _p, i in inputs.debt_flows), Decimal(0))


def sell_npv(inputs: Inputs, rate_pct: Decimal, price_factor: Decimal) -> Decimal:
    proceeds = net_proceeds(inputs, price_factor)
    return proceeds + interest_saved(inputs, proceeds, rate_pct)


@dataclass
class Result:
    hold: Decimal
    lease: Decimal | None
    sell: Decimal
    proceeds: Decimal
    interest_saved: Decimal
    best: str  # "hold", "lease" or "sell"
    value_destroyed: Decimal  # how much selling loses against the best of holding/leasing (≥ 0)
    yield_pct: Decimal | None  # the flags' view: net income over the net proceeds
    rates: list[Decimal] = field(default_factory=list)
    factors: list[Decimal] = field(default_factory=list)
    #: Sensitivity: per discount rate, per price factor, selling less the best other (+: sell).
    table: list[list[Decimal]] = field(default_factory=list)

    @property
    def value_destroying(self) -> bool:
        return self.value_destroyed > 0


def best_of(hold: Decimal, lease: Decimal | None, sell: Decimal) -> str:
    options = {"hold": hold, "sell": sell, **({"lease": lease} if lease is not None else {})}
    return max(options, key=lambda k: (options[k], k == "hold"))


def decide(inputs: Inputs, *, sensitivity: bool = True) -> Result:
    """The three values at the inputs' rate and price, the verdict and the sensitivity table
    (discount rate ±2 points by 1, price factor ±20 % by 10; left empty without
    ``sensitivity``), money rounded to the fen; the differences are those of the rounded
    values, so that the figures shown add up."""
    check(inputs)
    r, f = inputs.discount_rate_pct.value, inputs.price_factor.value
    hold, lease = hold_npv(inputs, r).quantize(CENT), lease_npv(inputs, r)
    lease = None if lease is None else lease.quantize(CENT)
    proceeds = net_proceeds(inputs, f)
    saved = interest_saved(inputs, proceeds, r)
    sell = (proceeds + saved).quantize(CENT)
    keep = max(hold, lease) if lease is not None else hold
    rates = [r + d for d in (-2, -1, 0, 1, 2) if r + d > 0]
    factors = [f * Decimal(p) / HUNDRED for p in (80, 90, 100, 110, 120)]
    table = []
    for rate in rates if sensitivity else ():
        h, le = hold_npv(inputs, rate), lease_npv(inputs, rate)
        other = max(h, le) if le is not None else h
        other = other.quantize(CENT)
        table.append([sell_npv(inputs, rate, fac).quantize(CENT) - other for fac in factors])
    return Result(
        hold=hold,
        lease=lease,
        sell=sell,
        proceeds=proceeds.quantize(CENT),
        interest_saved=saved.quantize(CENT),
        best=best_of(hold, lease, sell),
        value_destroyed=max(keep - sell, Decimal(0)),
        yield_pct=(inputs.net_income.value / proceeds * HUNDRED).quantize(Decimal("0.001"))
        if proceeds > 0
        else None,
        rates=rates,
        factors=factors,
        table=table,
    )


def verdict(result: Result) -> str:
    """The verdict in words (in the active language)."""
    if result.best == "sell":
        return _(
            "Sell: the sale is worth %(sell)s today, more than holding (%(hold)s) or leasing."
        ) % {"sell": result.sell, "hold": result.hold}
    words = (
        _("Hold: keeping it is worth %(keep)s today.")
        if result.best == "hold"
        else _("Lease: leasing it out is worth %(keep)s today.")
    ) % {"keep": result.hold if result.best == "hold" else result.lease}
    if not result.value_destroying:
        return words
    return (
        words
        + " "
        + _("Selling now (%(sell)s) would destroy %(amount)s of value.")
        % {"sell": result.sell, "amount": result.value_destroyed}
    )
