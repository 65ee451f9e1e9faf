"""API of decisions: one asset's or package's hold/lease/sell figures (view on the asset or
package, debt.view in its place; the same as the pages), and every asset's of a place, many at
once (``decisions.many``), a page at a time."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from panhuo.core.api import actor, require_any
from panhuo.core.schemas import ERRORS, Id
from panhuo.decisions.inputs import ADJUSTABLE
from panhuo.decisions.many import decide_assets
from panhuo.decisions.pipeline import run
from panhuo.decisions.report import decision_for, package_decision_for
from panhuo.disposal.selectors import get_package_for
from panhuo.finance.api import debt_place
from panhuo.organisation import policy
from panhuo.register.models import Asset
from panhuo.register.selectors import get_asset_for

router = Router(tags=["decisions"])


class QuestionIn(Schema):
    """The day, the debt repaid (else the dearest running debt of the place), and any rate or
    the price factor set for the question (else the place's default)."""

    on: dt.date | None = None
    debt_id: int | None = None
    discount_rate_pct: Decimal | None = None
    horizon_years: int | None = None
    vacancy_pct: Decimal | None = None
    lease_cost_pct: Decimal | None = None
    forced_sale_discount_pct: Decimal | None = None
    sale_cost_pct: Decimal | None = None
    price_factor: Decimal | None = None


def _asked(q: QuestionIn) -> dict:
    return {"on": q.on or timezone.localdate(), "debt_id": q.debt_id,
            "given": {k: getattr(q, k) for k in ADJUSTABLE}}  # fmt: skip


@router.get("/assets/{asset_id}/decision", response={200: dict[str, Any], **ERRORS})
def asset_decision(request: HttpRequest, asset_id: Id, q: Query[QuestionIn]):
    """Hold, lease or sell the asset, as of ``on`` (today by default): the verdict in words,
    the net present value of each, every input with its source (register, valuation, debt,
    default, request), and the sensitivity of selling against the best other over the discount
    rate and the price. Money and rates are strings. Bad input (no appraisal, a debt without a
    schedule, a rate out of bounds) is a 400 naming the field."""
    require_any(request, "asset", "view")
    require_any(request, "debt", "view")
    asset = get_asset_for(actor(request), asset_id)
    return decision_for(actor(request), asset, **_asked(q))


@router.get("/packages/{package_id}/decision", response={200: dict[str, Any], **ERRORS})
def package_decision(request: HttpRequest, package_id: Id, q: Query[QuestionIn]):
    """The same for a package: its assets' income, costs, values and rents summed (each asset
    must have a value; leasing is priced only if each has a rent appraisal); package.view on
    the package and debt.view in its place. Value-destroying when selling loses against the
    best of holding or leasing, with the amount."""
    require_any(request, "package", "view")
    require_any(request, "debt", "view")
    package = get_package_for(actor(request), package_id)
    return package_decision_for(actor(request), package, **_asked(q))


class ManyIn(QuestionIn):
    """The question of :class:`QuestionIn` for every asset of a place (else the widest whose
    debts the caller reads) and the places below it, a page at a time by asset id."""

    jurisdiction: int | None = None
    offset: int = Field(0, ge=0)
    limit: int = Field(500, ge=1, le=5000)


@router.get("/decisions/assets", response={200: dict[str, Any], **ERRORS})
def asset_decisions(request: HttpRequest, q: Query[ManyIn]):
    """Hold, lease or sell for every asset of a place and the places below it, as of ``on``,
    read for many at once: each asset's figures are those of its own decision (same inputs,
    same values), without the sensitivity table or the words. ``count`` assets in all; the
    page from ``offset`` (``limit`` up to 5,000), by asset id. Per asset the best, hold, lease,
    sell, the net proceeds, the interest saved and the value destroyed, or ``refused``: per
    field, why (no appraisal, a debt without a schedule, an input out of bounds)."""
    require_any(request, "asset", "view")
    require_any(request, "debt", "view")
    user = actor(request)
    place = debt_place(user, q.jurisdiction)
    if place is None:
        raise policy.NotPermitted(policy.refusal("debt", "view", one=False))
    assets = Asset.objects.visible_to(user).filter(unit__jurisdiction__path__startswith=place.path)
    page = dict(assets.order_by("pk").values_list("pk", "code")[q.offset : q.offset + q.limit])
    asked = _asked(q)
    items = [_item(pk, page[pk], r) for pk, r in decide_assets(
        user, Asset.objects.filter(pk__in=page), on=asked["on"], debt_id=q.debt_id,
        given=asked["given"])]  # fmt: skip
    return {"jurisdiction_id": place.pk, "on": asked["on"].isoformat(), "count": assets.count(),
            "offset": q.offset, "limit": q.limit, "items": items}  # fmt: skip


def _item(pk: int, code: str, r) -> dict:
    if isinstance(r, ValidationError):
        refused = {k: [str(m) for m in v] for k, v in r.message_dict.items()}
        return {"asset_id": pk, "asset_code": code, "refused": refused}
    money = {k: str(getattr(r, k)) for k in ("hold", "sell", "value_destroyed")}
    return {"asset_id": pk, "asset_code": code, "best": r.best, **money,
            "lease": None if r.lease is None else str(r.lease), "net_proceeds": str(r.proceeds),
            "interest_saved": str(r.interest_saved), "value_destroying": r.value_destroying,
            "refused": None}  # fmt: skip


class ScenarioIn(Schema):
    """The place (else the widest whose debts the caller reads), the day (today) and the
    scenarios' parameters (else the defaults; the failure rate from the place's history)."""

    jurisdiction: int | None = None
    on: dt.date | None = None
    scenarios: int | None = None
    seed: int | None = None
    horizon: int | None = None
    price_sd_pct: float | None = None
    failure_pct: float | None = None
    relist_cut_pct: float | None = None
    relist_periods: int | None = None
    max_rounds: int | None = None
    delay_pct: float | None = None
    rate_sd_pp: float | None = None


def _scenario(request: HttpRequest, q: ScenarioIn) -> dict:
    require_any(request, "package", "view")
    require_any(request, "debt", "view")
    user = actor(request)
    place = debt_place(user, q.jurisdiction)
    if place is None:
        raise policy.NotPermitted(policy.refusal("debt", "view", one=False))
    params = q.dict(exclude={"jurisdiction", "on"})
    return run(user, place, on=q.on or timezone.localdate(), params=params)


@router.get("/scenarios", response={200: dict[str, Any], **ERRORS})
def scenarios_get(request: HttpRequest, q: Query[ScenarioIn]):
    """Scenarios of the disposal pipeline (Monte Carlo, seeded): per quarter the planned
    proceeds, their P5/P50/P95, the expected debt service and the probability it is missed.
    package.view and debt.view in the place. Bad input is a 400 naming the field."""
    return _scenario(request, q)


@router.post("/scenarios", response={200: dict[str, Any], **ERRORS})
def scenarios_post(request: HttpRequest, payload: ScenarioIn):
    """The same with the parameters in the body (nothing is written)."""
    return _scenario(request, payload)
