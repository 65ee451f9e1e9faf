"""One asset's hold/lease/sell decision as the page and the API show it: the verdict in words,
the three values, each input with its source, the sensitivity table. Reads only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from panhuo.decisions import npv
from panhuo.decisions.forms import DecisionForm
from panhuo.decisions.inputs import gather, gather_package

#: Where an input comes from, in words.
SOURCES = {
    "register": _("Register"),
    "valuation": _("Valuation"),
    "comparables": _("Comparable leases"),
    "debt": _("Debt"),
    "builtin": _("Built-in default"),
    "default": _("Default of the place"),
    "override": _("Set for this asset"),
    "request": _("Set for this question"),
}
LABELS = {
    "net_income": _("Net income (yearly)"),
    "holding_cost": _("Holding cost (yearly)"),
    "value": _("Appraised value"),
    "market_rent": _("Market rent (yearly)"),
    "debt_rate_pct": _("Rate of the debt repaid (per cent)"),
}


def _figure(name: str, f: npv.Figure | None) -> dict | None:
    if f is None:
        return None
    field = DecisionForm.base_fields.get(name)
    label = LABELS.get(name) or (field.label if field else name)
    return {"name": name, "label": str(label), "value": str(f.value), "source": f.source,
            "source_label": str(SOURCES[f.source]), "note": str(f.note)}  # fmt: skip


def decision_for(user, asset, *, on: dt.date, debt_id: int | None = None, given=None) -> dict:
    """The decision for ``asset`` on ``on`` (ValidationError naming bad input; NotPermitted
    when the caller may not read the place's debts)."""
    inputs = gather(user, asset, on=on, debt_id=debt_id, given=given)
    return {"asset_id": asset.pk, "asset_code": asset.code, **_report(inputs, on)}


def package_decision_for(user, package, *, on: dt.date, debt_id=None, given=None) -> dict:
    """The decision for a package: its assets' figures summed, the place's debt repaid."""
    inputs = gather_package(user, package, on=on, debt_id=debt_id, given=given)
    return {"package_id": package.pk, "package_code": package.code, **_report(inputs, on)}


def _report(inputs: npv.Inputs, on: dt.date) -> dict:
    result = npv.decide(inputs)
    names = [
        "discount_rate_pct", "horizon_years", "net_income", "holding_cost", "value",
        "market_rent", "vacancy_pct", "lease_cost_pct", "forced_sale_discount_pct",
        "sale_cost_pct", "price_factor", "debt_rate_pct",
    ]  # fmt: skip
    remaining = sum((p for _t, p, _i in inputs.debt_flows), Decimal(0))
    return {
        "on": on.isoformat(),
        "verdict": npv.verdict(result),
        "best": result.best,
        "hold": str(result.hold),
        "lease": None if result.lease is None else str(result.lease),
        "sell": str(result.sell),
        "net_proceeds": str(result.proceeds),
        "interest_saved": str(result.interest_saved),
        "debt_principal_scheduled": str(remaining),
        "value_destroying": result.value_destroying,
        "value_destroyed": str(result.value_destroyed),
        "yield_pct": None if result.yield_pct is None else str(result.yield_pct),
        "inputs": [f for n in names if (f := _figure(n, getattr(inputs, n))) is not None],
        "sensitivity": {
            "rates_pct": [str(r) for r in result.rates],
            "price_factors": [str(f.normalize()) for f in result.factors],
            "sell_less_best_other": [[str(c) for c in row] for row in result.table],
        },
    }
