"""The register in depth through the API: asset filters and export, encumbrances, classification
codes, imports and their mappings (through the real worker), scope, and saved filters.

Every operation is called by every caller of ``build_world()``; refused writes are shown to
change nothing, including the records the shared fingerprint does not count.
"""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from panhuo.core.models import SavedFilter
from panhuo.core.services import saved_filter_save
from panhuo.core.testing import AssetFactory, build_world, forget_fixture_scope
from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    USERS,
    build_api_world,
    call,
    client_for,
    each,
    expect,
    fingerprint,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.register import import_mappings, imports, scope
from panhuo.register.exporting import HEADERS
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.models import Asset, ClassificationCode, Encumbrance
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


@pytest.fixture
def settings_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return settings


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


@pytest.fixture
def d(world, settings_tmp):
    return Depth(world)


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


# --- Asset filters and export ----------------------------------------------------------------


def test_asset_list_new_filters(d):
    aw, c = d.aw, client_for(d.w, "office")
    today = dt.date.today()
    code = ClassificationCode.objects.get(code="2030000")  # vehicles, under 2
    Asset.objects.filter(pk=aw.asset_free.pk).update(
        status="idle",
        idle_since=today - dt.timedelta(days=800),
        appraised_value=Decimal("10.00"),
        classification=code,
    )

    def ids(**query):
        r = c.get("/api/v1/assets", {"page_size": 500, **query})
        assert r.status_code == 200, r.content
        return {a["id"] for a in r.json()["results"]}

    assert ids(max_appraised="100") == {aw.asset_free.pk}
    assert aw.asset_free.pk not in ids(min_appraised="100")
    assert aw.asset.pk in ids(min_appraised="100")
    assert ids(min_idle_months=24) == {aw.asset_free.pk}
    assert ids(encumbered="true") == {aw.asset.pk}
    assert aw.asset.pk not in ids(encumbered="false")
    assert aw.asset_free.pk in ids(encumbered="false")
    assert ids(classification="2") == ids(classification="2030000") == {aw.asset_free.pk}
    assert ids(classification="1") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_appraised=abc", "min_appraised"),
        ("max_appraised=-1", "max_appraised"),
        ("max_appraised=1e9", "max_appraised"),
        ("min_idle_months=-1", "min_idle_months"),
        ("min_idle_months=many", "min_idle_months"),
        ("encumbered=perhaps", "encumbered"),
        ("classification=" + "9" * 33, "classification"),
        ("classification=a%00b", "classification"),
    ],
)
def test_asset_filters_bad_values_are_named(d, query, field):
    for url in ("/api/v1/assets", "/api/v1/assets/export"):
        r = client_for(d.w, "office").get(f"{url}?{query}")
        assert r.status_code == 422, r.content
        assert field in r.json()["errors"]


def _csv_rows(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@per_caller(CALLERS)
def test_asset_export(d, who):
    status = expect(403, **each(ASSET_READERS, 200))
    r = check(d, who, "GET", "/api/v1/assets/export", expected=status)
    if r.status_code == 200:
        assert r["Content-Type"].startswith("text/csv")
        assert "attachment" in r["Content-Disposition"]
        rows = _csv_rows(r)
        assert rows[0] == HEADERS
        codes = {row[1] for row in rows[1:]}
        assert codes == set(Asset.objects.visible_to(d.w.user(who)).values_list("code", flat=True))
        assert (d.aw.asset.code in codes) == (who in SEES_ASSET)


def test_asset_export_filters_and_xlsx(d):
    from openpyxl import load_workbook

    c = client_for(d.w, "office")
    r = c.get("/api/v1/assets/export", {"encumbered": "true"})
    assert [row[1] for row in _csv_rows(r)[1:]] == [d.aw.asset.code]
    r = c.get("/api/v1/assets/export", {"format": "xlsx", "unit": d.w.unit2.pk})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert [row[1] for row in rows[1:]] == [d.aw.asset2.code]
    r = c.get("/api/v1/assets/export?format=pdf")
    assert r.status_code == 422 and "format" in r.json()["errors"]


def test_export_is_not_read_as_an_asset_id(d):
    r = client_for(d.w, "office").get("/api/v1/assets/export")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")


# --- Encumbrances ------------------------------------------------------------------------------


@per_caller(CALLERS)
def test_encumbrance_list(d, who):
    status = expect(404, **each(SEES_ASSET, 200))
    r = check(d, who, "GET", f"/api/v1/assets/{d.aw.asset.pk}/encumbrances", expected=status)
    if r.status_code == 200:
        (item,) = r.json()["results"]
        assert item == {
            "id": d.encumbrance.pk,
            "asset_id": d.aw.asset.pk,
            "kind": "mortgage",
            "holder": "Bank",
            "amount": "100.00",
            "until": None,
            "note": "",
        }


@per_caller(CALLERS)
def test_encumbrance_add(d, who):
    status = expect(403, **each(WRITERS, 201), **each(WRITERS_ELSEWHERE, 404))
    before = AuditEntry.objects.count()
    body = {"kind": "lease", "holder": "Tenant Ltd", "amount": "2500.5", "until": "2030-06-30"}
    r = check(d, who, "POST", f"/api/v1/assets/{d.aw.asset.pk}/encumbrances", body, expected=status)
    if r.status_code == 201:
        assert r.json()["amount"] == "2500.50" and r.json()["until"] == "2030-06-30"
        item = Encumbrance.objects.get(pk=r.json()["id"])
        assert (item.asset_id, item.kind, item.amount) == (
            d.aw.asset.pk,
            "lease",
            Decimal("2500.50"),
        )
        assert AuditEntry.objects.count() == before + 1


@per_caller(CALLERS)
def test_encumbrance_remove(d, who):
    status = expect(403, **each(WRITERS, 204), **each(WRITERS_ELSEWHERE, 404))
    url = f"/api/v1/assets/{d.aw.asset.pk}/encumbrances/{d.encumbrance.pk}"
    check(d, who, "DELETE", url, expected=status)
    assert Encumbrance.objects.filter(pk=d.encumbrance.pk).exists() == (status[who] != 204)


def test_encumbrance_of_another_asset_is_missing(d):
    c = client_for(d.w, "office")
    before = full_fingerprint()
    r = c.delete(f"/api/v1/assets/{d.aw.asset_free.pk}/encumbrances/{d.encumbrance.pk}")
    assert r.status_code == 404
    r = c.delete(f"/api/v1/assets/{d.aw.asset.pk}/encumbrances/987654")
    assert r.status_code == 404
    assert full_fingerprint() == before


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "curse"}, "kind"),
        ({"holder": ""}, "holder"),
        ({"holder": None}, "holder"),
        ({"holder": "x" * 201}, "holder"),
        ({"amount": "-1"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"until": "soon"}, "until"),
        ({"note": "a\x00b"}, "note"),
        ({"asset": 5}, "asset"),
    ],
)
def test_bad_encumbrance_is_named_and_writes_nothing(d, over, field):
    body = {"kind": "mortgage", "holder": "Bank", **over}
    before = full_fingerprint()
    r = call(
        client_for(d.w, "office"), "POST", f"/api/v1/assets/{d.aw.asset.pk}/encumbrances", body
    )
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"]
    assert full_fingerprint() == before


# --- Classification codes ----------------------------------------------------------------------


@per_caller(CALLERS)
def test_classification_codes(d, who):
    status = expect(403, **each(ASSET_READERS, 200))
    r = check(d, who, "GET", "/api/v1/classification-codes?page_size=500", expected=status)
    if r.status_code == 200:
        assert r.json()["count"] == ClassificationCode.objects.count() > 0


def test_classification_codes_filters(d):
    c = client_for(d.w, "auditor")
    top = c.get("/api/v1/classification-codes", {"level": 1}).json()["results"]
    assert [x["code"] for x in top] == ["1", "2", "3", "4", "5", "6", "7", "8"][: len(top)]
    assert all(x["parent"] is None for x in top)
    assert {x["code"]: x["has_children"] for x in top}["1"] is True
    under = c.get("/api/v1/classification-codes", {"parent": "2"}).json()
    assert under["count"] > 0
    assert all(x["parent"] == "2" and x["level"] == 2 for x in under["results"])
    assert "2030000" in {x["code"] for x in under["results"]}
    assert not {x["has_children"] for x in under["results"]} - {False}
    found = c.get("/api/v1/classification-codes", {"q": "vehicles"}).json()["results"]
    assert [x["code"] for x in found] == ["2030000"]
    assert c.get("/api/v1/classification-codes", {"parent": "NOPE"}).json()["count"] == 0
    r = c.get("/api/v1/classification-codes", {"level": 0})
    assert r.status_code == 422 and "level" in r.json()["errors"]
    # Each code states its edition; the list filters by it.
    assert {x["edition"] for x in top} == {"GB/T 14885-2010"}
    by_edition = c.get("/api/v1/classification-codes", {"edition": "GB/T 14885-2010"}).json()
    assert by_edition["count"] == ClassificationCode.objects.count()
    assert (
        c.get("/api/v1/classification-codes", {"edition": "GB/T 14885-2022"}).json()["count"] == 0
    )


# --- Import mappings ---------------------------------------------------------------------------

MAPPING = {
    "name": "Finance bureau",
    "columns": {
        "单位": "unit",
        "编号": "code",
        "名称": "name",
        "类型": "kind",
        "原值": "book_value",
    },
    "values": {"kind": {"房屋": "building"}},
    "options": {"amount_unit": "wan", "date_order": "dmy"},
}


@per_caller(CALLERS)
def test_mapping_list(d, who):
    # Finance keeps mappings of debt imports: the list answers them (empty here).
    status = expect(403, **each(IMPORTERS | DEBT_IMPORTERS, 200))
    r = check(d, who, "GET", "/api/v1/import-mappings", expected=status)
    if r.status_code == 200:
        names = [m["name"] for m in r.json()["results"]]
        assert names == (["legacy"] if who == "office" else [])


@per_caller(CALLERS)
def test_mapping_create(d, who):
    status = expect(403, **each(IMPORTERS, 201))
    r = check(d, who, "POST", "/api/v1/import-mappings", MAPPING, expected=status)
    if r.status_code == 201:
        out = r.json()
        assert {k: out[k] for k in ("name", "columns", "values", "options")} == MAPPING
        assert ImportMapping.objects.get(pk=out["id"]).owner == d.w.user(who)


def test_mapping_post_under_an_existing_name_replaces_it(d):
    c = client_for(d.w, "office")
    body = {"name": "legacy", "columns": {"Unit": "unit", "Code": "code"}}
    r = call(c, "POST", "/api/v1/import-mappings", body)
    assert r.status_code == 200 and r.json()["id"] == d.mapping.pk
    assert r.json()["columns"] == {"Unit": "unit", "Code": "code"} and r.json()["values"] == {}
    assert ImportMapping.objects.filter(owner=d.w.user("office")).count() == 1


@per_caller(CALLERS)
def test_mapping_detail(d, who):
    status = expect(403, **(each(IMPORTERS | DEBT_IMPORTERS, 404) | {"office": 200}))
    r = check(d, who, "GET", f"/api/v1/import-mappings/{d.mapping.pk}", expected=status)
    if r.status_code == 200:
        assert r.json()["columns"]["Dept"] == "unit"


@per_caller(CALLERS)
def test_mapping_replace(d, who):
    status = expect(403, **(each(IMPORTERS | DEBT_IMPORTERS, 404) | {"office": 200}))
    body = {k: MAPPING[k] for k in ("columns", "values", "options")} | {"name": "legacy"}
    r = check(d, who, "PUT", f"/api/v1/import-mappings/{d.mapping.pk}", body, expected=status)
    d.mapping.refresh_from_db()
    if r.status_code == 200:
        assert (
            d.mapping.columns == MAPPING["columns"] and r.json()["options"]["amount_unit"] == "wan"
        )
    else:
        assert d.mapping.columns["Dept"] == "unit"


@per_caller(CALLERS)
def test_mapping_delete(d, who):
    status = expect(403, **(each(IMPORTERS | DEBT_IMPORTERS, 404) | {"office": 204}))
    before = AuditEntry.objects.count()
    check(d, who, "DELETE", f"/api/v1/import-mappings/{d.mapping.pk}", expected=status)
    assert ImportMapping.objects.filter(pk=d.mapping.pk).exists() == (who != "office")
    if who == "office":
        entry = AuditEntry.objects.order_by("-seq").first()
        assert AuditEntry.objects.count() == before + 1
        assert entry.action == "import_mapping.delete" and entry.before["name"] == "legacy"


def test_mapping_delete_service_is_owner_only(d):
    with pytest.raises(ImportMapping.DoesNotExist):
        import_mappings.mapping_delete(actor=d.w.user("office2"), mapping=d.mapping)
    assert ImportMapping.objects.filter(pk=d.mapping.pk).exists()


@pytest.mark.parametrize(
    ("method", "body", "status", "field", "words"),
    [
        ("POST", {**MAPPING, "columns": {"A": "colour"}}, 400, "mapping", "colour"),
        ("POST", {**MAPPING, "options": {"date_order": "ymd"}}, 400, "date_order", "dmy"),
        ("POST", {**MAPPING, "options": {"amount_unit": "jin"}}, 400, "amount_unit", "yuan"),
        ("POST", {**MAPPING, "name": "  "}, 400, "name", "name"),
        ("POST", {**MAPPING, "name": ""}, 422, "name", ""),
        ("POST", {k: v for k, v in MAPPING.items() if k != "name"}, 422, "name", ""),
        ("POST", {**MAPPING, "columns": ["unit"]}, 422, "columns", ""),
        ("POST", {**MAPPING, "columns": {"A": 5}}, 422, "columns.A", ""),
        ("POST", {**MAPPING, "extra": 1}, 422, "extra", ""),
        ("PUT", {"name": "renamed", "columns": {}}, 400, "name", "renamed"),
        ("PUT", {"columns": {"A": "colour"}}, 400, "mapping", "colour"),
    ],
)
def test_bad_mapping_is_named_and_writes_nothing(d, method, body, status, field, words):
    url = "/api/v1/import-mappings" + (f"/{d.mapping.pk}" if method == "PUT" else "")
    before = full_fingerprint()
    r = call(client_for(d.w, "office"), method, url, body)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert words in json.dumps(r.json()["errors"], ensure_ascii=False)
    assert full_fingerprint() == before


# --- Import runs -------------------------------------------------------------------------------


@per_caller(CALLERS)
def test_import_upload(d, who):
    status = expect(403, **each(IMPORTERS, 202))
    r = check(
        d,
        who,
        "POST",
        "/api/v1/imports",
        {"commit": "true"},
        files={"file": file_of(CSV)},
        expected=status,
    )
    if r.status_code == 202:
        out = r.json()
        assert out["status"] == "queued" and out["commit"] is True and out["valid_only"] is False
        assert out["file_name"] == "reg.csv" and out["file_size"] == len(CSV.encode())
        assert out["report"] is None and out["progress"]["finished"] is False
        assert ImportRun.objects.get(pk=out["id"]).owner == d.w.user(who)


@per_caller(CALLERS)
def test_import_list(d, who):
    status = expect(403, **each(IMPORTERS, 200))
    r = check(d, who, "GET", "/api/v1/imports", expected=status)
    if r.status_code == 200:
        ids = [x["id"] for x in r.json()["results"]]
        assert ids == ([d.run.pk] if who == "office" else [])


@per_caller(CALLERS)
def test_import_detail(d, who):
    status = expect(403, **(each(IMPORTERS, 404) | {"office": 200}))
    r = check(d, who, "GET", f"/api/v1/imports/{d.run.pk}", expected=status)
    if r.status_code == 200:
        assert r.json()["status"] == "queued" and r.json()["progress"]["size"] == len(CSV)


@per_caller(CALLERS)
def test_import_cancel(d, who):
    status = expect(403, **(each(IMPORTERS, 404) | {"office": 200}))
    r = check(d, who, "POST", f"/api/v1/imports/{d.run.pk}/cancel", expected=status)
    d.run.refresh_from_db()
    assert d.run.status == ("cancelled" if who == "office" else "queued")
    if r.status_code == 200:
        assert r.json()["status"] == "cancelled" and r.json()["progress"]["finished"] is True


def test_cancelling_a_finished_import_is_refused(d):
    c = client_for(d.w, "office")
    assert c.post(f"/api/v1/imports/{d.run.pk}/cancel").status_code == 200
    before = full_fingerprint()
    r = c.post(f"/api/v1/imports/{d.run.pk}/cancel")
    assert r.status_code == 400 and "status" in r.json()["errors"]
    assert "cancelled" in r.json()["detail"].lower()
    assert full_fingerprint() == before


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    ("form", "files", "status", "field", "words"),
    [
        ({}, {"file": file_of(PDF, "reg.pdf")}, 400, "file", "not a CSV or XLSX"),
        ({}, {"file": file_of(PNG, "reg.csv")}, 400, "file", "not a CSV or XLSX"),
        ({}, {"file": file_of(b"\x00\x01\x02binary", "reg.csv")}, 400, "file", "binary"),
        ({}, {"file": file_of(b"", "empty.csv")}, 400, "file", "empty"),
        ({}, {"file": file_of(b"   \n\n", "blank.csv")}, 400, "file", "empty"),
        ({}, {}, 422, "file", ""),
        ({"mapping_name": "nope"}, {"file": file_of(CSV)}, 400, "mapping_name", "nope"),
        (
            {"mapping": json.dumps({"columns": {"unit": "unit", "Colour": "colour"}})},
            {"file": file_of(CSV)},
            400,
            "mapping",
            "colour",
        ),
        ({"mapping": "{not json"}, {"file": file_of(CSV)}, 400, "mapping", "JSON"),
        ({"mapping": "[1, 2]"}, {"file": file_of(CSV)}, 400, "mapping", ""),
        (
            {"mapping": json.dumps({"columns": {"unit": 5}})},
            {"file": file_of(CSV)},
            400,
            "mapping.columns.unit",
            "string",
        ),
        (
            {"mapping": json.dumps({"options": {"date_order": "ymd"}})},
            {"file": file_of(CSV)},
            400,
            "date_order",
            "dmy",
        ),
        (
            {"mapping": json.dumps({"columns": {}}), "mapping_name": "legacy"},
            {"file": file_of(CSV)},
            400,
            "mapping",
            "not both",
        ),
        ({"commit": "maybe"}, {"file": file_of(CSV)}, 422, "commit", ""),
        ({"valid_only": "sometimes"}, {"file": file_of(CSV)}, 422, "valid_only", ""),
    ],
)
def test_bad_upload_is_named_and_writes_nothing(d, form, files, status, field, words):
    before = full_fingerprint()
    stored = sorted(imports.imports_dir().iterdir())
    r = client_for(d.w, "office").post("/api/v1/imports", data={**form, **files})
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert words in json.dumps(r.json()["errors"], ensure_ascii=False)
    assert full_fingerprint() == before
    assert sorted(imports.imports_dir().iterdir()) == stored  # no file kept either


def test_upload_as_json_is_refused(d):
    before = full_fingerprint()
    r = call(client_for(d.w, "office"), "POST", "/api/v1/imports", {"file": CSV})
    assert r.status_code == 422 and "file" in r.json()["errors"]
    assert full_fingerprint() == before


def test_upload_larger_than_the_limit_is_refused(d, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_MAX_BYTES": 20}
    before = full_fingerprint()
    r = client_for(d.w, "office").post("/api/v1/imports", data={"file": file_of(CSV)})
    assert r.status_code == 400 and "larger than 20 bytes" in r.json()["errors"]["file"][0]
    assert full_fingerprint() == before


def test_upload_with_a_saved_mapping(d):
    data = "Dept;Ref;Title;Type\nU1;L-1;Depot;House\n"
    r = client_for(d.w, "office").post(
        "/api/v1/imports",
        data={"file": file_of(data, "legacy.csv"), "mapping_name": "legacy", "commit": "true"},
    )
    assert r.status_code == 202, r.content
    assert r.json()["mapping_name"] == "legacy"
    assert r.json()["mapping"]["values"] == {"kind": {"House": "building"}}
    run = imports.execute_import(ImportRun.objects.get(pk=r.json()["id"]))
    assert run.status == "succeeded", (run.message, run.report)
    r = client_for(d.w, "office").get(f"/api/v1/imports/{run.pk}")
    assert r.json()["report"]["new"] == 1 and r.json()["status"] == "succeeded"
    assert Asset.objects.get(code="L-1").kind == "building"


# --- Imports through the real worker -----------------------------------------------------------


def _worker():
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def _upload(client, data, name="reg.csv", **form):
    r = client.post("/api/v1/imports", data={"file": file_of(data, name), **form})
    assert r.status_code == 202, r.content
    return r.json()


@pytest.mark.django_db(transaction=True)
def test_upload_worker_report(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    run = _upload(c, CSV, commit="true")
    assert run["status"] == "queued"
    assert not Asset.objects.exists()
    _worker()
    r = c.get(f"/api/v1/imports/{run['id']}")
    out = r.json()
    assert out["status"] == "succeeded", out
    assert out["progress"] == {"rows": 2, "bytes": out["progress"]["bytes"], "size": len(CSV),
                               "finished": True}  # fmt: skip
    report = out["report"]
    assert (report["rows"], report["new"], report["updated"], report["rejected"]) == (2, 2, 0, 0)
    assert report["committed"] is True and report["errors"] == []
    assert report["columns"]["book_value"] == "book_value"
    assert Asset.objects.count() == 2
    assert [x["id"] for x in c.get("/api/v1/imports").json()["results"]] == [run["id"]]
    # Someone else sees neither the run nor its report.
    assert client_for(w, "office2").get(f"/api/v1/imports/{run['id']}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_rejected_rows_are_reported_and_nothing_is_written(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    bad = CSV + "U1,R-3,Broken,building,-1,idle\nU1,R-4,Castle,castle,5,idle\n"
    run = _upload(c, bad, commit="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "rejected"
    report = out["report"]
    assert (report["rows"], report["rejected"], report["committed"]) == (4, 2, False)
    assert report["errors"][0] == {
        "row": 4,
        "column": "book_value",
        "code": "negative",
        "message": "-1.00 is negative",
    }
    assert report["errors"][1]["row"] == 5 and report["errors"][1]["column"] == "kind"
    assert not Asset.objects.exists()
    # The valid rows only, when asked.
    run = _upload(c, bad, commit="true", valid_only="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "succeeded" and out["report"]["new"] == 2
    assert out["report"]["rejected"] == 2
    assert set(Asset.objects.values_list("code", flat=True)) == {"R-1", "R-2"}


@pytest.mark.django_db(transaction=True)
def test_a_file_the_worker_cannot_read_is_rejected_with_the_reason(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    run = _upload(c, zipped.getvalue(), "reg.xlsx", commit="true")
    no_unit = _upload(c, "code,name\nX-1,Thing\n", commit="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "rejected" and "cannot be opened" in out["message"]
    assert out["report"] is None
    out = c.get(f"/api/v1/imports/{no_unit['id']}").json()
    assert out["status"] == "rejected" and "unit" in out["message"]
    assert not Asset.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_dry_run_then_cancel_through_the_api(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    dry = _upload(c, CSV)
    cancelled = _upload(c, CSV, commit="true")
    assert c.post(f"/api/v1/imports/{cancelled['id']}/cancel").json()["status"] == "cancelled"
    _worker()
    out = c.get(f"/api/v1/imports/{dry['id']}").json()
    assert out["status"] == "succeeded" and out["report"]["new"] == 2
    assert out["report"]["committed"] is False
    assert c.get(f"/api/v1/imports/{cancelled['id']}").json()["status"] == "cancelled"
    assert not Asset.objects.exists()


def _asset_state():
    return sorted(
        Asset.objects.values_list(
            "unit__code", "code", "name", "kind", "classification__code", "address", "latitude",
            "longitude", "area", "book_value", "accumulated_depreciation", "appraised_value",
            "annual_income", "annual_holding_cost", "status", "idle_since", "criticality",
            "certificate_number", "title_complete", "acquired_on", "attributes", "version",
        )
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.django_db(transaction=True)
def test_export_reimports_unchanged_through_the_api(settings_tmp, fmt):
    w = build_world()
    # A transactional test starts from an emptied database: the seeded codes are gone.
    code, _ = ClassificationCode.objects.get_or_create(code="T-01", defaults={"name": "Vehicles"})
    AssetFactory(
        unit=w.unit,
        kind="vehicle",
        classification=code,
        attributes={"plate": "粤B·1", "mileage_km": 84000},
        idle_since=dt.date(2023, 2, 1),
        title_complete=True,
        latitude=Decimal("22.543096"),
        longitude=Decimal("114.057865"),
        accumulated_depreciation=Decimal("10.50"),
        annual_income=Decimal("1200.00"),
        certificate_number="CERT-1",
        acquired_on=dt.date(2019, 5, 20),
        name='公务车, "旧"\n二号',
        address="",
        appraised_value=None,
    )
    AssetFactory(
        unit=w.unit2, kind="equity", attributes={"company": "城投公司", "percentage": "35.5"}
    )
    AssetFactory(unit=w.unit, kind="land", criticality="essential", book_value=Decimal("0.01"))
    AssetFactory(unit=w.other_unit)  # not the office's: not exported
    c = client_for(w, "office")
    r = c.get("/api/v1/assets/export", {"format": fmt})
    assert r.status_code == 200
    data = b"".join(r.streaming_content)
    before, audit_before = _asset_state(), AuditEntry.objects.count()
    run = _upload(c, data, f"assets.{fmt}", commit="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "succeeded", out
    report = out["report"]
    assert (report["rows"], report["unchanged"], report["new"], report["updated"]) == (3, 3, 0, 0)
    assert report["rejected"] == 0 and report["ignored_headers"] == []
    assert _asset_state() == before
    # Only the import run itself is recorded; no asset was touched.
    assert AuditEntry.objects.count() == audit_before + 1


# --- Scope -------------------------------------------------------------------------------------


def _idle(unit, months, **kw):
    since = dt.date.today().replace(day=1) - dt.timedelta(days=31 * months)
    kw.setdefault("title_complete", True)
    return AssetFactory(unit=unit, status="idle", idle_since=since, **kw)


@pytest.fixture
def sd(d):
    """``d`` with a register that scope can tell apart."""
    d.good = _idle(d.w.unit, 14)
    d.young = _idle(d.w.unit, 2)
    d.essential = _idle(d.w.unit, 30, criticality="essential")
    forget_fixture_scope()  # the decisions these tests list are the service's alone
    return d


@per_caller(CALLERS)
def test_scope_proposal(sd, who):
    status = expect(403, **each(READERS_A, 200), **each(READERS_B, 404))
    url = f"/api/v1/scope/proposal?jurisdiction={sd.w.district.pk}&page_size=500"
    r = check(sd, who, "GET", url, expected=status)
    if r.status_code == 200:
        rows = {p["asset"]["id"]: p for p in r.json()["results"]}
        assert rows[sd.good.pk]["included"] is True
        assert rows[sd.good.pk]["asset"] == {
            "id": sd.good.pk,
            "code": sd.good.code,
            "name": sd.good.name,
            "unit": "U1",
        }
        assert "unencumbered" in rows[sd.good.pk]["reasons"]
        assert rows[sd.essential.pk]["reasons"][0] == "essential public service"
        assert any("< 6" in x for x in rows[sd.young.pk]["reasons"])
        assert "1 encumbrance(s)" in rows[sd.aw.asset.pk]["reasons"]
        assert sd.aw.other_asset.pk not in rows
    elif r.status_code == 404:
        assert "jurisdiction" in r.json()["errors"]


def test_scope_proposal_filter_and_bad_input(sd):
    c = client_for(sd.w, "office")
    url = f"/api/v1/scope/proposal?jurisdiction={sd.w.district.pk}&page_size=500"
    included = c.get(url + "&included=true").json()
    excluded = c.get(url + "&included=false").json()
    everything = c.get(url).json()
    assert {p["asset"]["id"] for p in included["results"]} == {sd.good.pk}
    assert all(not p["included"] for p in excluded["results"])
    assert included["count"] + excluded["count"] == everything["count"]
    page = c.get(url.replace("500", "1") + "&page=2").json()
    assert page["count"] == everything["count"] and len(page["results"]) == 1
    for query, field in [
        ("", "jurisdiction"),
        ("?jurisdiction=abc", "jurisdiction"),
        (f"?jurisdiction={sd.w.district.pk}&included=maybe", "included"),
    ]:
        r = c.get("/api/v1/scope/proposal" + query)
        assert r.status_code == 422 and field in r.json()["errors"], r.content
    r = c.get("/api/v1/scope/proposal?jurisdiction=987654")
    assert r.status_code == 404 and "jurisdiction" in r.json()["errors"]
    # Above the office's own jurisdiction: not theirs to see.
    r = c.get(f"/api/v1/scope/proposal?jurisdiction={sd.w.city.pk}")
    assert r.status_code == 404


@per_caller(CALLERS)
def test_scope_rules_read(sd, who):
    status = expect(403, **each(READERS_A, 200), **each(READERS_B, 404))
    url = f"/api/v1/scope/rules?jurisdiction={sd.w.district.pk}"
    r = check(sd, who, "GET", url, expected=status)
    if r.status_code == 200:
        assert r.json() == {
            "jurisdiction": sd.w.district.pk,
            "inherited_from": None,
            "min_idle_months": 6,
            "include_under_used": True,
            "exclude_supporting": False,
            "require_clear_title": True,
            "require_unencumbered": True,
            "min_value": "0.00",
            "updated_at": None,
        }


RULES = {
    "min_idle_months": 12,
    "include_under_used": False,
    "exclude_supporting": True,
    "require_clear_title": True,
    "require_unencumbered": False,
    "min_value": "1000.50",
}


@per_caller(CALLERS)
def test_scope_rules_set(sd, who):
    status = expect(403, **each(RULE_SETTERS_A, 200), **each(RULE_SETTERS_B, 404))
    url = f"/api/v1/scope/rules?jurisdiction={sd.w.district.pk}"
    r = check(sd, who, "PUT", url, RULES, expected=status)
    if r.status_code == 200:
        assert r.json()["min_value"] == "1000.50" and r.json()["min_idle_months"] == 12
        assert r.json()["inherited_from"] == sd.w.district.pk
        rules = ScopeRuleSet.objects.get(jurisdiction=sd.w.district)
        assert rules.min_value == Decimal("1000.50") and not rules.require_unencumbered
        assert AuditEntry.objects.order_by("-seq").first().action == "scope.rules_update"
    elif r.status_code == 404:
        assert "jurisdiction" in r.json()["errors"]


def test_scope_rules_are_inherited_and_change_the_proposal(sd):
    city_rules = {**RULES, "min_idle_months": 1, "include_under_used": True}
    r = call(
        client_for(sd.w, "supervisor"),
        "PUT",
        f"/api/v1/scope/rules?jurisdiction={sd.w.city.pk}",
        city_rules,
    )
    assert r.status_code == 403  # the supervisor reads; the city's office would set them
    scope.scope_rules_update(
        actor=sd.w.user("office"), jurisdiction=sd.w.district, data={"min_idle_months": 1}
    )
    c = client_for(sd.w, "head")
    r = c.get(f"/api/v1/scope/rules?jurisdiction={sd.w.district.pk}")
    assert r.json()["inherited_from"] == sd.w.district.pk and r.json()["min_idle_months"] == 1
    url = f"/api/v1/scope/proposal?jurisdiction={sd.w.district.pk}&included=true&page_size=500"
    assert sd.young.pk in {p["asset"]["id"] for p in c.get(url).json()["results"]}


@pytest.mark.parametrize(
    ("query", "body", "status", "field"),
    [
        ("", RULES, 422, "jurisdiction"),
        ("?jurisdiction=987654", RULES, 404, "jurisdiction"),
        ("?jurisdiction={d}", {**RULES, "min_value": "-1"}, 422, "min_value"),
        ("?jurisdiction={d}", {**RULES, "min_value": 1.5}, 422, "min_value"),
        ("?jurisdiction={d}", {**RULES, "min_idle_months": -1}, 422, "min_idle_months"),
        ("?jurisdiction={d}", {**RULES, "min_idle_months": "x"}, 422, "min_idle_months"),
        ("?jurisdiction={d}", {**RULES, "colour": "red"}, 422, "colour"),
        (
            "?jurisdiction={d}",
            {k: v for k, v in RULES.items() if k != "require_clear_title"},
            422,
            "require_clear_title",
        ),
    ],
)
def test_bad_scope_rules_are_named_and_write_nothing(sd, query, body, status, field):
    before = full_fingerprint()
    url = "/api/v1/scope/rules" + query.format(d=sd.w.district.pk)
    r = call(client_for(sd.w, "office"), "PUT", url, body)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"]
    assert full_fingerprint() == before


@per_caller(CALLERS)
def test_scope_decide(sd, who):
    status = expect(403, **each(DECIDERS_A, 201), **each(DECIDERS_B, 404))
    body = {"jurisdiction": sd.w.district.pk, "include": [sd.good.pk], "note": "Round 2"}
    r = check(sd, who, "POST", "/api/v1/scope/decisions", body, expected=status)
    if r.status_code == 201:
        out = r.json()
        assert out["decided_by"] == who and out["note"] == "Round 2"
        assert out["included_count"] == 1
        assert out["excluded_count"] == len(out["items"]) - 1
        items = {i["asset"]["id"]: i for i in out["items"]}
        assert items[sd.good.pk]["included"] is True
        assert items[sd.essential.pk]["included"] is False
        assert ScopeDecision.objects.filter(pk=out["id"]).exists()
    elif r.status_code == 404:
        assert "jurisdiction" in r.json()["errors"]


@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"include": "all"}, 422, "include"),
        ({"include": ["x"]}, 422, "include.0"),
        ({"jurisdiction": None}, 422, "jurisdiction"),
        ({"jurisdiction": 987654}, 404, "jurisdiction"),
        ({"note": "x" * 2001}, 422, "note"),
        ({"rules": {}}, 422, "rules"),
    ],
)
def test_bad_scope_decision_is_named_and_writes_nothing(sd, over, status, field):
    body = {"jurisdiction": sd.w.district.pk, **over}
    before = full_fingerprint()
    r = call(client_for(sd.w, "head"), "POST", "/api/v1/scope/decisions", body)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"]
    assert full_fingerprint() == before


def test_an_exclusion_cannot_be_decided_in(sd):
    before = full_fingerprint()
    body = {"jurisdiction": sd.w.district.pk, "include": [sd.essential.pk, sd.good.pk]}
    r = call(client_for(sd.w, "head"), "POST", "/api/v1/scope/decisions", body)
    assert r.status_code == 400, r.content
    assert str(sd.essential.pk) in r.json()["errors"]["include"][0]
    assert full_fingerprint() == before


@per_caller(CALLERS)
def test_scope_decision_list(sd, who):
    status = expect(403, **each(READERS_A | READERS_B, 200))
    r = check(sd, who, "GET", "/api/v1/scope/decisions", expected=status)
    if r.status_code == 200:
        ids = [x["id"] for x in r.json()["results"]]
        assert ids == ([sd.decision.pk] if who in READERS_A else [])
        if ids:
            (row,) = r.json()["results"]
            assert row["jurisdiction"]["id"] == sd.w.district.pk and row["decided_by"] == "head"
            total = ScopeDecisionItem.objects.filter(decision=sd.decision).count()
            assert row["included_count"] + row["excluded_count"] == total


@per_caller(CALLERS)
def test_scope_decision_detail(sd, who):
    status = expect(403, **each(READERS_A, 200), **each(READERS_B, 404))
    r = check(sd, who, "GET", f"/api/v1/scope/decisions/{sd.decision.pk}", expected=status)
    if r.status_code == 200:
        out = r.json()
        assert out["rules"]["min_idle_months"] == 6
        items = {i["asset"]["id"]: i for i in out["items"]}
        assert set(items) == set(
            ScopeDecisionItem.objects.filter(decision=sd.decision).values_list("asset", flat=True)
        )


def test_scope_decision_list_filter_and_bad_ids(sd):
    c = client_for(sd.w, "supervisor")
    r = c.get("/api/v1/scope/decisions", {"jurisdiction": sd.w.other_district.pk})
    assert r.json()["count"] == 0
    r = c.get("/api/v1/scope/decisions", {"jurisdiction": sd.w.district.pk})
    assert [x["id"] for x in r.json()["results"]] == [sd.decision.pk]
    assert c.get("/api/v1/scope/decisions/abc").status_code == 422
    assert c.get("/api/v1/scope/decisions/987654").status_code == 404


# --- Saved filters -----------------------------------------------------------------------------


@per_caller(CALLERS)
def test_saved_filter_list(d, who):
    status = expect(200)
    r = check(d, who, "GET", "/api/v1/saved-filters", expected=status)
    if r.status_code == 200:
        rows = r.json()["results"]
        if who == "office":
            assert rows == [
                {
                    "id": d.saved_filter.pk,
                    "target": "assets",
                    "name": "Idle land",
                    "query": "kind=land&status=idle",
                    "created_at": rows[0]["created_at"],
                }
            ]
        else:
            assert rows == []


@per_caller(CALLERS)
def test_saved_filter_create(d, who):
    status = expect(403, **each(ASSET_READERS, 201))
    body = {"target": "assets", "name": "Big idle", "query": "status=idle&min_value=1000000"}
    r = check(d, who, "POST", "/api/v1/saved-filters", body, expected=status)
    if r.status_code == 201:
        item = SavedFilter.objects.get(pk=r.json()["id"])
        assert (item.owner, item.query) == (d.w.user(who), "status=idle&min_value=1000000")


def test_saved_filter_same_name_replaces_and_targets_need_their_list(d):
    c = client_for(d.w, "office")
    body = {"target": "assets", "name": "Idle land", "query": "kind=land"}
    r = call(c, "POST", "/api/v1/saved-filters", body)
    assert r.status_code == 200 and r.json()["id"] == d.saved_filter.pk
    assert r.json()["query"] == "kind=land"
    r = c.get("/api/v1/saved-filters", {"target": "debts"})
    assert r.json()["count"] == 0
    # The unit officer has no debt list: no filter for it either.
    before = full_fingerprint()
    body = {"target": "debts", "name": "Due", "query": "status=due"}
    r = call(client_for(d.w, "unit_officer"), "POST", "/api/v1/saved-filters", body)
    assert r.status_code == 403
    assert full_fingerprint() == before
    r = call(client_for(d.w, "finance"), "POST", "/api/v1/saved-filters", body)
    assert r.status_code == 201


@per_caller(CALLERS)
def test_saved_filter_delete(d, who):
    status = expect(404, office=204)
    check(d, who, "DELETE", f"/api/v1/saved-filters/{d.saved_filter.pk}", expected=status)
    assert SavedFilter.objects.filter(pk=d.saved_filter.pk).exists() == (who != "office")


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"target": "castles"}, "target"),
        ({"target": None}, "target"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"query": "a=\x00"}, "query"),
        ({"query": "q=" + "x" * 2000}, "query"),
        ({"owner": 1}, "owner"),
    ],
)
def test_bad_saved_filter_is_named_and_writes_nothing(d, over, field):
    body = {"target": "assets", "name": "X", "query": "", **over}
    before = full_fingerprint()
    r = call(client_for(d.w, "office"), "POST", "/api/v1/saved-filters", body)
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"]
    assert full_fingerprint() == before


# --- Anonymous callers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/v1/assets/export"),
        ("GET", "/api/v1/classification-codes"),
        ("GET", "/api/v1/imports"),
        ("POST", "/api/v1/imports"),
        ("GET", "/api/v1/import-mappings"),
        ("GET", "/api/v1/scope/proposal?jurisdiction=1"),
        ("PUT", "/api/v1/scope/rules?jurisdiction=1"),
        ("GET", "/api/v1/saved-filters"),
    ],
)
@pytest.mark.django_db
def test_anonymous_is_401(method, url):
    r = call(Client(), method, url, {} if method != "GET" else None)
    assert r.status_code == 401 and "Bearer" in r.json()["detail"]


def test_token_caller_can_upload_without_csrf(d):
    from panhuo.organisation.services import api_token_create

    office = d.w.user("office")
    _token, key = api_token_create(actor=office, user=office, name="script")
    c = Client(enforce_csrf_checks=True)
    r = c.post(
        "/api/v1/imports",
        data={"file": file_of(CSV)},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert r.status_code == 202, r.content
    # The browser session without the CSRF token is refused, and nothing is queued.
    before = full_fingerprint()
    c = Client(enforce_csrf_checks=True)
    c.force_login(office)
    r = c.post("/api/v1/imports", data={"file": file_of(CSV)})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert full_fingerprint() == before
