"""The register in depth through the API: asset filters and export, encumbrances,
classification codes, saved filters, and anonymous callers.

Every operation is called by every caller of ``build_world()``; refused writes are shown to
change nothing, including the records the shared fingerprint does not count.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client

from panhuo.core.models import SavedFilter
from panhuo.core.tests.api_support import (
    CALLERS,
    call,
    client_for,
    each,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.register.exporting import HEADERS
from panhuo.register.models import Asset, ClassificationCode, Encumbrance
from panhuo.register.tests.api_depth_support import (
    ASSET_READERS,
    CSV,
    SEES_ASSET,
    WRITERS,
    WRITERS_ELSEWHERE,
    check,
    file_of,
    full_fingerprint,
)

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
