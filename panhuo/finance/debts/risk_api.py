"""The API of a jurisdiction's risk settings (``risk_settings``): read what holds and where it
comes from, set the jurisdiction's own, or drop them so the nearest ancestor's hold again."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Status

from panhuo.core.api import actor, referenced_jurisdiction, require_any
from panhuo.finance.api import ERRORS, debt_jurisdiction, router
from panhuo.finance.debts.indicators import MOF
from panhuo.finance.debts.indicators_db import settings_for
from panhuo.finance.debts.risk_settings import risk_settings_clear, risk_settings_set
from panhuo.finance.schemas import RiskSettingsIn, RiskSettingsOut, RiskSettingsQuery


def settings_out(jurisdiction) -> dict:
    """What holds for ``jurisdiction``: its own settings, an ancestor's, or the MoF defaults."""
    found = settings_for(jurisdiction)
    thresholds = found.thresholds() if found else MOF
    return {
        "jurisdiction_id": jurisdiction.pk,
        "own": bool(found and found.jurisdiction_id == jurisdiction.pk),
        "from_jurisdiction_id": found.jurisdiction_id if found else None,
        "use_earlier_fiscal_year": bool(found and found.use_earlier_fiscal_year),
        **thresholds.__dict__,
    }


@router.get("/risk-settings", response={200: RiskSettingsOut, **ERRORS}, tags=["risk"])
def risk_settings(request: HttpRequest, query: Query[RiskSettingsQuery]):
    """The risk settings that hold for a jurisdiction (its own or its nearest ancestor's)."""
    require_any(request, "debt", "view")
    jurisdiction = referenced_jurisdiction(actor(request), query.jurisdiction, debt_jurisdiction)
    return settings_out(jurisdiction)


@router.put("/risk-settings", response={200: RiskSettingsOut, **ERRORS}, tags=["risk"])
def risk_settings_put(
    request: HttpRequest, query: Query[RiskSettingsQuery], payload: RiskSettingsIn
):
    """Set a jurisdiction's own tier thresholds and missing-year choice (finance)."""
    require_any(request, "debt", "edit")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, query.jurisdiction, debt_jurisdiction)
    risk_settings_set(actor=user, jurisdiction=jurisdiction, **payload.dict())
    return settings_out(jurisdiction)


@router.delete("/risk-settings", response={204: None, **ERRORS}, tags=["risk"])
def risk_settings_delete(request: HttpRequest, query: Query[RiskSettingsQuery]):
    """Drop a jurisdiction's own settings (finance): the nearest ancestor's hold again."""
    require_any(request, "debt", "edit")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, query.jurisdiction, debt_jurisdiction)
    risk_settings_clear(actor=user, jurisdiction=jurisdiction)
    return Status(204, None)
