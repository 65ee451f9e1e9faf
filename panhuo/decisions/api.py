"""API of decisions: one asset's hold/lease/sell figures (asset.view on the asset, debt.view in
its place; the same as the page)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from panhuo.core.api import actor, require_any
from panhuo.core.schemas import ERRORS, Id
from panhuo.decisions.report import decision_for
from panhuo.register.selectors import get_asset_for

router = Router(tags=["decisions"])


@router.get("/assets/{asset_id}/decision", response={200: dict[str, Any], **ERRORS})
def asset_decision(
    request: HttpRequest,
    asset_id: Id,
    on: dt.date | None = None,
    debt_id: int | None = None,
    discount_rate_pct: Decimal | None = None,
    horizon_years: int | None = None,
    vacancy_pct: Decimal | None = None,
    lease_cost_pct: Decimal | None = None,
    forced_sale_discount_pct: Decimal | None = None,
    sale_cost_pct: Decimal | None = None,
    price_factor: Decimal | None = None,
):
    """Hold, lease or sell the asset, as of ``on`` (today by default): the verdict in words,
    the net present value of each, every input with its source (register, valuation, debt,
    default, request), and the sensitivity of selling against the best other over the discount
    rate and the price. Money and rates are strings. Bad input (no appraisal, a debt without a
    schedule, a rate out of bounds) is a 400 naming the field."""
    require_any(request, "asset", "view")
    require_any(request, "debt", "view")
    asset = get_asset_for(actor(request), asset_id)
    given = {
        "discount_rate_pct": discount_rate_pct, "horizon_years": horizon_years,
        "vacancy_pct": vacancy_pct, "lease_cost_pct": lease_cost_pct,
        "forced_sale_discount_pct": forced_sale_discount_pct, "sale_cost_pct": sale_cost_pct,
        "price_factor": price_factor,
    }  # fmt: skip
    return decision_for(
        actor(request), asset, on=on or timezone.localdate(), debt_id=debt_id, given=given
    )
