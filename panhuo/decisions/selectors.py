"""Hold, lease or sell for sales already made, read for many at once (issue 20's figures for
the layers above: the flags' ``value_destroying_sale``, the public accountability page).

A sale made is judged with what it actually fetched and repaid: selling is worth the deal price
less the fees and taxes of a sale, plus the interest each debt its proceeds repaid no longer
bears (the repaid share of each scheduled interest payment after the deal day, discounted);
holding and leasing are valued as ``npv`` values them, from the assets' figures on the deal day
(``inputs.own_figures``: register income and cost, the latest appraisal or automated estimate,
the rent appraisal, else the market rent of comparable leases) and the place's defaults. The
value destroyed is how much the best of holding and leasing exceeds selling (zero when selling
was the best).

No caller's permission is checked (the callers are the engine and public aggregates, which
check their own); nothing is written. A sale without figures — an asset with no value on the
deal day, a debt repaid that has no schedule — gets the reason instead, and the caller falls
back to its own test."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from panhuo.core.money import CENT
from panhuo.decisions import npv, sale_sql
from panhuo.decisions.comparables import Leases, comparable_rent_parts, lease_rents
from panhuo.decisions.inputs import DAYS_A_YEAR, places_defaults
from panhuo.disposal.models import PackageItem
from panhuo.finance.debts.models import ScheduleRow
from panhuo.organisation.models import Jurisdiction
from panhuo.pricing.models import Valuation, ValuationKind
from panhuo.register.models import AssetStatus

VALUED = (ValuationKind.APPRAISAL, ValuationKind.AUTOMATED, ValuationKind.RENT)
#: Why a sale could not be valued, in words (the code is stored; the reader's language shown).
MISSING = {
    "no_assets": _("the package has no assets"),
    "no_appraisal": _("an asset had no appraisal or automated estimate on the deal day"),
    "no_schedule": _("a debt repaid has no repayment schedule"),
}


@dataclass(frozen=True)
class Sale:
    """A sale made: its package, place, deal day and price, and what its proceeds repaid
    (``(debt id, debt code, amount)``, net of reversals)."""

    key: object
    package_id: int
    jurisdiction_id: int
    on: dt.date
    price: Decimal
    repaid: tuple[tuple[int, str, Decimal], ...]


class _Asset(NamedTuple):
    """The columns of a sold asset the figures read (a row, not a model instance)."""

    pk: int
    code: str
    annual_income: Decimal
    annual_holding_cost: Decimal
    status: str
    place_id: int
    area: Decimal | None
    kind: str


class _Valuation(NamedTuple):
    kind: str
    base_date: dt.date
    value: Decimal


def _latest(history: list[_Valuation], kind: str, on: dt.date) -> _Valuation | None:
    return next((v for v in history if v.kind == kind and v.base_date <= on), None)


def _own(asset, history: list[_Valuation], on: dt.date, leases, places):
    """(net income, holding cost, value, market rent or None, the comparable leases' parts or
    None) of one asset on ``on`` as ``inputs.own_figures`` reads them: the market rent from the
    rent appraisal, else from comparable leases (``comparables``); None when it has no value
    then."""
    value = _latest(history, ValuationKind.APPRAISAL, on) or _latest(
        history, ValuationKind.AUTOMATED, on
    )
    if value is None:
        return None
    rent = _latest(history, ValuationKind.RENT, on)
    income = asset.annual_income
    if income <= 0 and asset.status == AssetStatus.IN_USE and rent is not None:
        income = rent.value  # the rent its own use avoids
    if rent is not None:
        return income, asset.annual_holding_cost, value.value, rent.value, None
    parts = comparable_rent_parts(asset, on, leases, places.get(asset.place_id))
    market = None if parts is None else parts["value"]
    return income, asset.annual_holding_cost, value.value, market, parts


def _rent_figures(owns) -> dict:
    """The evidence of the market rent a lease is valued at: the total, and the part from
    comparable leases with what it is made of (how many leases, the median rent per m² —
    area-weighted over several assets — the area, the place), for the reader's language."""
    rents = [o[3] for o in owns]
    if None in rents:
        return {}
    out = {"market_rent": sum(rents, Decimal(0)).quantize(CENT)}
    parts = [o[4] for o in owns if o[4] is not None]
    if parts:
        value = sum((p["value"] for p in parts), Decimal(0))
        area = sum((p["area"] for p in parts), Decimal(0))
        out |= {
            "rent_comparable": value.quantize(CENT),
            "rent_leases": max(p["leases"] for p in parts),
            "rent_per_m2": parts[0]["per_m2"] if len(parts) == 1 else (value / area).quantize(CENT),
            "rent_area": area,
            "rent_place": parts[0]["place"].name,
        }
    return out


def sale_figures(sales: list[Sale], few: bool = False) -> dict[object, dict]:
    """Per sale (by key): the figures, or ``{"missing": why, "missing_record": code}`` when
    they cannot be made (why: one of :data:`MISSING`). A few queries in all, whatever the
    number of sales, each read as rows (tuples), not model instances. ``few``: a few sales (an
    update after one write), the assets, valuations and schedules read by ``sale_sql``'s
    statements built once."""
    if not sales:
        return {}
    packages = {s.package_id for s in sales}
    read = sale_sql if few else _Orm
    items = defaultdict(list)
    for package_id, *asset in read.items(packages):
        items[package_id].append(_Asset(*asset))
    history = defaultdict(list)  # latest first
    asset_ids = [a.pk for assets in items.values() for a in assets]
    for asset_id, *v in read.valuations(asset_ids, VALUED):
        history[asset_id].append(_Valuation(*v))
    schedules = defaultdict(list)
    for debt_id, *r in read.schedules({d for s in sales for d, _c, _a in s.repaid}):
        schedules[debt_id].append(r)
    # The comparable leases of the assets without a rent appraisal, read once for all.
    unrented = [a for assets in items.values() for a in assets if a.area and not any(
        v.kind == ValuationKind.RENT for v in history[a.pk])]  # fmt: skip
    places = Jurisdiction.objects.in_bulk(
        {s.jurisdiction_id for s in sales} | {a.place_id for a in unrented}
    )
    defaults = places_defaults(places.values())
    leases = Leases(lease_rents({places[a.place_id] for a in unrented}, {a.kind for a in unrented}))
    return {s.key: _one(s, items[s.package_id], history, schedules, defaults[s.jurisdiction_id],
                        (leases, places))
            for s in sales}  # fmt: skip


class _Orm:
    """``sale_sql``'s reads through the ORM (any number of sales)."""

    @staticmethod
    def items(packages):
        return (
            PackageItem.objects.filter(package__in=packages)
            .order_by("package_id", "asset__code")
            .values_list("package_id", *ASSET_COLUMNS)
        )

    @staticmethod
    def valuations(asset_ids, kinds):
        return (
            Valuation.objects.filter(asset__in=asset_ids, kind__in=kinds)
            .order_by("asset_id", "-base_date", "-pk")
            .values_list("asset_id", "kind", "base_date", "value")
        )

    @staticmethod
    def schedules(debt_ids):
        return (
            ScheduleRow.objects.filter(debt__in=debt_ids)
            .order_by("debt_id", "due_date")
            .values_list("debt_id", "due_date", "principal", "interest")
        )


#: An asset's columns, read through its package item (``_Asset``'s fields in order).
ASSET_COLUMNS = (
    "asset_id", "asset__code", "asset__annual_income", "asset__annual_holding_cost",
    "asset__status", "asset__unit__jurisdiction_id", "asset__area", "asset__kind",
)  # fmt: skip


def _one(sale: Sale, assets, history, schedules, defaults, comparables) -> dict:
    if not assets:
        return {"missing": "no_assets", "missing_record": ""}
    owns = []
    for a in assets:
        own = _own(a, history[a.pk], sale.on, *comparables)
        if own is None:
            return {"missing": "no_appraisal", "missing_record": a.code}
        owns.append(own)
    for debt_id, code, _amount in sale.repaid:
        if not schedules[debt_id]:
            return {"missing": "no_schedule", "missing_record": code}
    income, cost, value = (sum((o[i] for o in owns), Decimal(0)) for i in range(3))
    rents = [o[3] for o in owns]
    rent_figures = _rent_figures(owns)
    rate, years = defaults["discount_rate_pct"], defaults["horizon_years"]

    def fig(v):
        return npv.Figure(Decimal(v), "default")

    inputs = npv.Inputs(
        discount_rate_pct=fig(rate), horizon_years=fig(years), net_income=fig(income - cost),
        holding_cost=fig(cost), value=fig(value),
        market_rent=None if None in rents else fig(sum(rents, Decimal(0))),
        vacancy_pct=fig(defaults["vacancy_pct"]), lease_cost_pct=fig(defaults["lease_cost_pct"]),
        forced_sale_discount_pct=fig(0), sale_cost_pct=fig(defaults["sale_cost_pct"]),
        price_factor=fig(1),
    )  # fmt: skip
    hold = npv.hold_npv(inputs, rate).quantize(CENT)
    lease = npv.lease_npv(inputs, rate)
    lease = None if lease is None else lease.quantize(CENT)
    proceeds = (sale.price * (1 - defaults["sale_cost_pct"] / npv.HUNDRED)).quantize(CENT)
    saved = Decimal(0)
    for debt_id, _code, amount in sale.repaid:
        flows = tuple(
            (Decimal((due - sale.on).days) / DAYS_A_YEAR, principal, interest)
            for due, principal, interest in schedules[debt_id]
            if due > sale.on
        )
        saved += npv.interest_saved(
            npv.Inputs(**{**inputs.__dict__, "debt_flows": flows}), amount, rate
        )
    saved = saved.quantize(CENT)
    sell = proceeds + saved
    keep = hold if lease is None else max(hold, lease)
    return {
        "on": sale.on.isoformat(),
        "appraised_value": value.quantize(CENT),
        "discount_rate_pct": rate,
        "horizon_years": int(years),
        "hold_value": hold,
        "lease_value": lease,
        "sale_proceeds": proceeds,
        "interest_saved_npv": saved,
        "sell_value": sell,
        "best": npv.best_of(hold, lease, sell),
        "value_destroyed": max(keep - sell, Decimal(0)),
        **rent_figures,
    }
