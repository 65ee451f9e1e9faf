"""The register in depth through the API: import mappings and import runs (upload, list,
detail, cancel, bad uploads), called by every caller; refused writes change nothing.
"""

import json

import pytest

from panhuo.core.tests.api_support import (
    CALLERS,
    call,
    client_for,
    each,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.register import import_mappings, imports
from panhuo.register.import_models import ImportMapping, ImportRun
from panhuo.register.models import Asset
from panhuo.register.tests.api_depth_support import (
    CSV,
    DEBT_IMPORTERS,
    IMPORTERS,
    check,
    file_of,
    full_fingerprint,
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
