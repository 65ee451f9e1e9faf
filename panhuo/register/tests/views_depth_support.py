"""Helpers of the register-in-depth page tests (``test_views_register_depth_*.py``): who may
import and decide scope, the fingerprint a refused write must leave unchanged, and uploads
through the import page (the fixtures ``data_dir`` and ``sample`` are in ``conftest.py``)."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Sum
from django.urls import reverse

from panhuo.core.models import SavedFilter
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.views_support import (
    READERS_A,
    READERS_B,
    client_for,
)
from panhuo.core.tests.views_support import fingerprint as base_fingerprint
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.models import Asset, AssetStatus, Encumbrance
from panhuo.register.scope_models import ScopeDecision, ScopeDecisionItem, ScopeRuleSet

IMPORTERS = {
    "office",
    "office2",
    "unit_officer",
    "other_unit_officer",
    "outsider_office",
    "outsider_unit_officer",
}
SCOPE_VIEWERS = READERS_A | READERS_B
SCOPE_RULES = {"head", "deputy", "deputy2", "office", "office2"}
SCOPE_RULES_B = {"outsider_head", "outsider_deputy", "outsider_office"}
SCOPE_DECIDERS = {"head", "deputy", "deputy2"}
SCOPE_DECIDERS_B = {"outsider_head", "outsider_deputy"}

CSV_OK = (
    "unit,code,name,kind,book_value,status\n"
    "U1,R-1,Old school,building,1000000,idle\n"
    "U1,R-2,Car,vehicle,120000,in_use\n"
)
CSV_BAD = CSV_OK + "U1,R-3,Broken,building,-1,idle\nU9,R-4,Nowhere,building,5,idle\n"


def fingerprint() -> dict:
    """The shared fingerprint, and the records this issue's pages write."""
    state = base_fingerprint()
    for model in (
        Encumbrance,
        ImportMapping,
        ImportRun,
        SavedFilter,
        ScopeRuleSet,
        ScopeDecision,
        ScopeDecisionItem,
    ):
        state[model._meta.label] = model.objects.count()
    state["encumbrances"] = sorted(Encumbrance.objects.values_list("pk", "holder", "amount"))
    state["rules"] = sorted(ScopeRuleSet.objects.values_list("jurisdiction_id", "min_idle_months"))
    state["mappings"] = sorted(ImportMapping.objects.values_list("pk", "name", "updated_at"))
    state["runs"] = sorted(ImportRun.objects.values_list("pk", "status"))
    state["saved"] = sorted(SavedFilter.objects.values_list("pk", "name", "query"))
    state["attributes"] = sorted(Asset.objects.values_list("pk", "attributes"))
    state["values"] = Asset.objects.aggregate(
        d=Sum("accumulated_depreciation"), i=Sum("annual_income"), c=Sum("annual_holding_cost")
    )
    return state


def in_scope_asset(w, **over):
    """An asset the default rules propose: idle for years, clear title, unencumbered."""
    data = {
        "unit": w.unit,
        "status": AssetStatus.IDLE,
        "idle_since": dt.date(2020, 1, 1),
        "title_complete": True,
    }
    data.update(over)
    return AssetFactory(**data)


def upload(client, text: str | bytes, name="register.csv", **form):
    content = text.encode() if isinstance(text, str) else text
    f = io.BytesIO(content)
    f.name = name
    data = {"file": f, "mapping": "", "run": "commit", "mode": "all", **form}
    return client.post(reverse("asset-import"), data)


def run_of(response) -> ImportRun:
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def office_run(world, data_dir, text=CSV_OK, **form) -> ImportRun:
    return run_of(upload(client_for(world, "office"), text, **form))


def scope_decision(w):
    """The head's scope decision of district A, taking one in-scope asset."""
    from panhuo.register.scope import scope_decide

    in_scope_asset(w, code="SC-IN")
    return scope_decide(actor=w.user("head"), jurisdiction=w.district)
