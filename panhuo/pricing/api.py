"""API of the price stage: valuations, appraised values, price rules, the valuation model."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    referenced,
    referenced_jurisdiction,
    require_any,
)
from panhuo.core.api_lists import list_endpoint
from panhuo.core.schemas import CONFLICT_ERRORS as ERRORS
from panhuo.core.schemas import Id
from panhuo.organisation import policy
from panhuo.pricing import avm, law, services
from panhuo.pricing.rules import Thresholds, appraisal_expires_on
from panhuo.pricing.schemas import (
    AssetAppraisalOut,
    AvmRunOut,
    AvmTrainIn,
    PackageAppraisalOut,
    PriceRulesIn,
    PriceRulesOut,
    RulesQuery,
    ValuationDetailOut,
    ValuationFilters,
    ValuationIn,
    ValuationOut,
)
from panhuo.pricing.selectors import (
    avm_run_list,
    get_package_for,
    get_valuation_for,
    latest_valid_appraisal,
    package_appraisal,
    package_appraised_value,
    rule_set_for,
    thresholds_for,
    valuation_list,
)
from panhuo.register.selectors import get_asset_for

router = Router()


# --- Valuations -------------------------------------------------------------------------------


list_endpoint(
    router,
    "/valuations",
    ValuationOut,
    ValuationFilters,
    "valuation",
    valuation_list,
    tags=["valuations"],
    errors=ERRORS,
)


@router.post("/valuations", response={201: ValuationDetailOut, **ERRORS}, tags=["valuations"])
def valuation_new(request: HttpRequest, payload: ValuationIn):
    """Record a book value, a third-party appraisal (appraiser, licence, report number,
    method, base date; valid 12 months by default) or an automated estimate (method, error)."""
    require_any(request, "valuation", "create")
    user = actor(request)
    asset = referenced("asset", "asset", get_asset_for, user, payload.asset)
    package = None
    if payload.package is not None:
        package = referenced("package", "package", get_package_for, user, payload.package)
    data = payload.dict(exclude={"asset", "package"})
    data["method"] = data["method"] or ""
    v = services.valuation_create(actor=user, asset=asset, package=package, **data)
    return Status(201, get_valuation_for(user, v.pk))


@router.get(
    "/valuations/{valuation_id}", response={200: ValuationDetailOut, **ERRORS}, tags=["valuations"]
)
def valuation_detail(request: HttpRequest, valuation_id: Id):
    return get_valuation_for(actor(request), valuation_id)


@router.get(
    "/assets/{asset_id}/appraisal", response={200: AssetAppraisalOut, **ERRORS}, tags=["valuations"]
)
def asset_appraisal(request: HttpRequest, asset_id: Id):
    """The asset's latest valid third-party appraisal (null when it has none)."""
    require_any(request, "valuation", "view")
    asset = get_asset_for(actor(request), asset_id)
    return {"asset_id": asset.pk, "appraisal": latest_valid_appraisal(asset)}


@router.get(
    "/packages/{package_id}/appraisal",
    response={200: PackageAppraisalOut, **ERRORS},
    tags=["valuations"],
)
def package_appraisal_detail(request: HttpRequest, package_id: Id):
    """The package's appraised value: the sum of its assets' latest valid appraisals."""
    require_any(request, "valuation", "view")
    package = get_package_for(actor(request), package_id)
    found = package_appraisal(package)
    t = thresholds_for(package.jurisdiction)
    from django.utils import timezone

    today = timezone.localdate()
    items = []
    for item in package.items.select_related("asset").order_by("asset__code"):
        v = found.by_asset.get(item.asset_id)
        current = v is not None and today <= min(
            appraisal_expires_on(v.base_date, t), v.valid_until or today
        )
        items.append(
            {
                "asset_id": item.asset_id,
                "asset_code": item.asset.code,
                "appraisal": v,
                "current": current,
            }
        )
    return {
        "package_id": package.pk,
        "appraised_value": package_appraised_value(package),
        "assets": items,
    }


# --- Price rules -----------------------------------------------------------------------------


def _rules_out(jurisdiction, rule_class: str = "enterprise") -> dict:
    rule_set = rule_set_for(jurisdiction, rule_class)
    t = Thresholds.of(rule_set, rule_class)
    return {
        "jurisdiction_id": jurisdiction.pk,
        "source_jurisdiction_id": rule_set.jurisdiction_id if rule_set else None,
        "version": rule_set.version
        if rule_set and rule_set.jurisdiction_id == jurisdiction.pk
        else None,
        **t.values(),
        "rule_class": rule_class,
        "law": str(law.CLASS_LAW[rule_class]),
        "sources": {k: str(v) for k, v in t.sources.items()},
        "law_minimums": law.minimums_text(rule_class),
    }


def _rules_place(user, pk):
    return referenced(
        "jurisdiction",
        "jurisdiction",
        lambda u, i: policy.jurisdictions_for(u, "pricerules", "view").get(pk=i),
        user,
        pk,
    )


@router.get("/price-rules", response={200: PriceRulesOut, **ERRORS}, tags=["price rules"])
def price_rules(request: HttpRequest, query: Query[RulesQuery]):
    """The thresholds that apply in a jurisdiction: its own set, else its nearest ancestor's,
    else the defaults of the rules table."""
    require_any(request, "pricerules", "view")
    return _rules_out(_rules_place(actor(request), query.jurisdiction), query.rule_class)


@router.put(
    "/price-rules/{jurisdiction_id}", response={200: PriceRulesOut, **ERRORS}, tags=["price rules"]
)
def price_rules_set(request: HttpRequest, jurisdiction_id: Id, payload: PriceRulesIn):
    """Set some or all thresholds of a jurisdiction for one rule-set class (head, deputies,
    office). A threshold laxer than the law's minimum for the class is refused (400 with gate
    ``rule_set_laxer_than_law``); ``sources`` records local sources."""
    require_any(request, "pricerules", "edit")
    user = actor(request)
    place = _rules_place(user, jurisdiction_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    rule_class = data.pop("rule_class", None) or "enterprise"
    sources = data.pop("sources", None)
    data = {k: v for k, v in data.items() if v is not None}
    services.price_rules_update(
        actor=user,
        jurisdiction=place,
        data=data,
        version=version,
        rule_class=rule_class,
        sources=sources,
    )
    return _rules_out(place, rule_class)


# --- Valuation model --------------------------------------------------------------------------


@router.get("/avm/runs", response={200: list[AvmRunOut], **ERRORS}, tags=["valuation model"])
@paginate(PagePagination)
def avm_runs(request: HttpRequest):
    require_any(request, "avm", "view")
    return avm_run_list(actor(request))


@router.post("/avm/runs", response={201: AvmRunOut, **ERRORS}, tags=["valuation model"])
def avm_run_new(request: HttpRequest, payload: AvmTrainIn):
    """Train on the jurisdiction's recorded deals; the answer reports the held-out error."""
    require_any(request, "avm", "train")
    user = actor(request)
    place = referenced_jurisdiction(user, payload.jurisdiction)
    return Status(201, avm.avm_train(actor=user, jurisdiction=place))


@router.post(
    "/assets/{asset_id}/avm-estimate",
    response={201: ValuationDetailOut, **ERRORS},
    tags=["valuation model"],
)
def avm_estimate(request: HttpRequest, asset_id: Id):
    """Record an automated estimate of a land or building asset from the latest model run."""
    require_any(request, "valuation", "create")
    user = actor(request)
    asset = get_asset_for(user, asset_id)
    v = avm.avm_estimate(actor=user, asset=asset)
    return Status(201, get_valuation_for(user, v.pk))
