"""Helpers of the register-in-depth API tests (``test_api_depth_*.py``): who may do what, the
fingerprint a refused write must leave unchanged, and one record of each kind the API serves
(``Depth``; its fixtures ``d`` and ``sd`` are in ``conftest.py``)."""

import datetime as dt
import io
import json
from decimal import Decimal

from panhuo.core.models import SavedFilter
from panhuo.core.services import saved_filter_save
from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import (
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    USERS,
    build_api_world,
    call,
    client_for,
    fingerprint,
)
from panhuo.register import import_mappings, imports, scope
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.models import Encumbrance
from panhuo.register.scope_models import ScopeDecision, ScopeDecisionItem, ScopeRuleSet
from panhuo.register.services import encumbrance_add

SEES_ASSET = READERS_A | {"unit_officer"}  # the U1 asset in district A
WRITERS = {"office", "office2", "unit_officer"}
WRITERS_ELSEWHERE = {"other_unit_officer", "outsider_office", "outsider_unit_officer"}
#: May import somewhere (asset.create); runs and mappings are each one's own.
IMPORTERS = WRITERS | WRITERS_ELSEWHERE
#: Whoever edits debts runs debt imports, and keeps their mappings.
DEBT_IMPORTERS = {"finance", "outsider_finance"}
OTHER_IMPORTERS = IMPORTERS - {"office"}
ASSET_READERS = READERS_A | READERS_B | UNIT_OFFICERS
#: Scope rules of district A: the head, deputies and office; outsiders hold the role elsewhere.
RULE_SETTERS_A = {"head", "deputy", "deputy2", "office", "office2"}
RULE_SETTERS_B = {"outsider_head", "outsider_deputy", "outsider_office"}
DECIDERS_A = {"head", "deputy", "deputy2"}
DECIDERS_B = {"outsider_head", "outsider_deputy"}
SIGNED_IN = set(USERS)

CSV = (
    "unit,code,name,kind,book_value,status\n"
    "U1,R-1,Old school,building,1000000,idle\n"
    "U1,R-2,Car,vehicle,120000,in_use\n"
)


def full_fingerprint() -> dict:
    """The shared fingerprint plus every record this part of the API writes."""
    state = fingerprint()
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
    state["encumbrances"] = sorted(
        Encumbrance.objects.values_list("asset_id", "kind", "holder", "amount")
    )
    state["mappings"] = sorted(
        (m.owner_id, m.name, json.dumps(m.as_json(), sort_keys=True))
        for m in ImportMapping.objects.all()
    )
    state["runs"] = sorted(ImportRun.objects.values_list("pk", "status"))
    state["filters"] = sorted(SavedFilter.objects.values_list("owner_id", "name", "query"))
    state["rules"] = sorted(
        (r.jurisdiction_id, json.dumps(r.as_json(), sort_keys=True))
        for r in ScopeRuleSet.objects.all()
    )
    return state


class Depth:
    """The API world plus one record of each kind this part of the API serves."""

    def __init__(self, world):
        self.aw = build_api_world(world)
        self.w = world
        office = world.user("office")
        self.encumbrance = encumbrance_add(
            actor=office,
            asset=self.aw.asset,
            data={"kind": "mortgage", "holder": "Bank", "amount": Decimal("100.00")},
        )
        self.mapping = import_mappings.mapping_save(
            actor=office,
            name="legacy",
            columns={"Dept": "unit", "Ref": "code", "Title": "name", "Type": "kind"},
            values={"kind": {"House": "building"}},
        )
        self.run = imports.import_run_create(
            actor=office, upload=io.BytesIO(CSV.encode()), filename="reg.csv"
        )
        self.decision = scope.scope_decide(actor=world.user("head"), jurisdiction=world.district)
        self.saved_filter = saved_filter_save(
            actor=office, target="assets", name="Idle land", query="kind=land&status=idle&page=3"
        )


def check(d, who, method, url, body=None, *, expected, files=None):
    """Call as ``who``; assert the status; a refused write must leave everything unchanged."""
    write = method != "GET"
    before = full_fingerprint() if write else None
    client = client_for(d.w, who)
    if files is not None:
        response = client.post(url, data={**(body or {}), **files})
    else:
        response = call(client, method, url, body)
    status = expected[who]
    assert response.status_code == status, (who, response.status_code, response.content[:500])
    if write and status >= 400:
        assert full_fingerprint() == before, f"{who}: a refused {method} {url} changed data"
    if status >= 400:
        assert "detail" in response.json()
    return response


def file_of(data, name="reg.csv"):
    f = io.BytesIO(data.encode() if isinstance(data, str) else data)
    f.name = name
    return f


def idle_asset(unit, months, **kw):
    since = dt.date.today().replace(day=1) - dt.timedelta(days=31 * months)
    kw.setdefault("title_complete", True)
    return AssetFactory(unit=unit, status="idle", idle_since=since, **kw)
