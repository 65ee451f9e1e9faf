"""Monitor API for every caller: reads scoped to the caller's places, writes by finance (figures)
or head/deputy/finance (thresholds) of the place only, refused writes change nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from panhuo.core.tests.api_support import ANON, CALLERS, READERS_A, READERS_B, call, client_for
from panhuo.core.tests.per_caller import per_caller
from panhuo.monitor.tests.support import seed_figures, state

pytestmark = pytest.mark.django_db
SECTION = READERS_A | READERS_B


@pytest.fixture
def w(world):
    seed_figures(world)
    return world


def _status(who: str, ok: set[str], *, in_section: int = 404) -> int:
    if who == ANON:
        return 401
    if who in ok:
        return 200
    return in_section if who in SECTION else 403


@per_caller(CALLERS)
def test_categories_and_list(w, who):
    c = client_for(w, who)
    r = c.get("/api/v1/revenue/categories")
    assert r.status_code == _status(who, SECTION)
    if r.status_code == 200:
        leaves = {x["code"] for x in r.json() if x["leaf"]}
        assert {"vat", "fines", "land_sales"} <= leaves and "tax" not in leaves
    r = c.get("/api/v1/revenue", {"ordering": "-amount", "page_size": 500})
    assert r.status_code == _status(who, SECTION)
    if r.status_code != 200:
        return
    body = r.json()
    codes = {x["jurisdiction_code"] for x in body["results"]}
    expected = {"D2"} if who in READERS_B else {"D1", "D2"} if who == "supervisor" else {"D1"}
    assert codes == expected
    amounts = [Decimal(x["amount"]) for x in body["results"]]
    assert amounts == sorted(amounts, reverse=True)
    assert all(isinstance(x["amount"], str) for x in body["results"])


def test_list_filters(w):
    c = client_for(w, "supervisor")
    r = c.get("/api/v1/revenue", {"jurisdiction": w.district.pk, "category": "non_tax",
                                  "year": 2024, "page_size": 2})  # fmt: skip
    body = r.json()
    assert body["count"] == 6 and len(body["results"]) == 2
    assert {x["category"] for x in body["results"]} <= {"fines", "fees"}
    r = c.get("/api/v1/revenue", {"ordering": "sideways"})
    assert r.status_code == 422


@per_caller(CALLERS)
def test_put_figure(w, who):
    before = state()
    body = {"jurisdiction": w.district.pk, "month": "2024-04", "category": "vat",
            "amount": "-12.50"}  # fmt: skip
    r = call(client_for(w, who), "PUT", "/api/v1/revenue", body)
    if who == "finance":
        assert r.status_code == 200 and r.json()["outcome"] == "new"
        assert r.json()["record"]["amount"] == "-12.50"
        r = call(client_for(w, who), "PUT", "/api/v1/revenue", body)
        assert r.json()["outcome"] == "unchanged"
        return
    if who == ANON:
        assert r.status_code == 401
    elif who == "outsider_finance":
        assert r.status_code == 404 and "jurisdiction" in r.json()["errors"]
    else:
        assert r.status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"month": "2024-13"}, "month"),
        ({"category": "tax"}, "category"),
        ({"category": "nope"}, "category"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"jurisdiction": 10**12}, "jurisdiction"),
        ({"extra": 1}, "extra"),
    ],
)
def test_put_bad_input_is_named(w, change, field):
    before = state()
    body = {"jurisdiction": w.district.pk, "month": "2024-04", "category": "vat", "amount": "1"}
    r = call(client_for(w, "finance"), "PUT", "/api/v1/revenue", body | change)
    assert r.status_code in (400, 404, 422)
    assert field in r.json()["errors"]
    assert state() == before


CSV = b"jurisdiction,month,category,amount\nD1,2024-06,vat,10\nD1,2024-06,fines,2\n"


def _post_file(c, content: bytes, **form):
    data = {"file": io.BytesIO(content)} | {k: str(v).lower() for k, v in form.items()}
    data["file"].name = "f.csv"
    return c.post("/api/v1/revenue/imports", data)


@per_caller(CALLERS)
def test_import(w, who):
    before = state()
    r = _post_file(client_for(w, who), CSV, commit=True)
    if who == "finance":
        assert r.status_code == 200 and r.json()["committed"] and r.json()["new"] == 2
        again = _post_file(client_for(w, who), CSV, commit=True).json()
        assert (again["new"], again["unchanged"]) == (0, 2)
        return
    if who == "outsider_finance":
        # D1 is not theirs: every row is rejected, named, and nothing is written.
        assert r.status_code == 200 and not r.json()["committed"]
        assert [e["row"] for e in r.json()["errors"]] == [2, 3]
    else:
        assert r.status_code == (401 if who == ANON else 403)
    assert state() == before


def test_import_dry_run_valid_only_and_bad_files(w):
    c = client_for(w, "finance")
    r = _post_file(c, CSV)
    assert r.json()["new"] == 2 and not r.json()["committed"] and state() == state()
    bad = CSV + b"D1,2024-06,fees,abc\n"
    before = state()
    r = _post_file(c, bad, commit=True)
    assert not r.json()["committed"] and r.json()["errors"][0]["row"] == 4
    assert r.json()["errors"][0]["column"] == "amount" and state() == before
    r = _post_file(c, bad, commit=True, valid_only=True)
    assert r.json()["committed"] and r.json()["new"] == 2 and r.json()["rejected"] == 1
    r = _post_file(c, b"%PDF-1.4 junk", commit=True)
    assert r.status_code == 400 and "file" in r.json()["errors"]
    r = _post_file(c, CSV, valid_only=True)
    assert r.status_code == 400 and "valid_only" in r.json()["errors"]


def test_import_over_the_size_limit_is_refused(w, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_MAX_BYTES": 10}
    before = state()
    r = _post_file(client_for(w, "finance"), CSV, commit=True)
    assert r.status_code == 400 and "file" in r.json()["errors"]
    upload = io.BytesIO(CSV)
    upload.name = "f.csv"
    page = client_for(w, "finance").post(
        "/monitor/revenue/import/", {"file": upload, "mode": "commit", "amount_unit": "yuan"}
    )
    assert page.status_code == 400 and "file" in page.context["form"].errors
    assert state() == before


@per_caller(CALLERS)
def test_summary_and_alerts(w, who):
    c = client_for(w, who)
    for url in ("/api/v1/monitor/summary", "/api/v1/monitor/alerts"):
        r = c.get(url, {"year": 2024, "jurisdiction": w.district.pk})
        ok = (READERS_A - {"supervisor"}) | {"supervisor"}
        assert r.status_code == _status(who, ok), (who, url)
        if r.status_code == 200:
            codes = [a["code"] for a in r.json()["alerts"]]
            assert codes == ["non_tax_outgrows_tax", "fines_outgrows_tax", "land_dependence"]
            land = r.json()["alerts"][2]["figures"]
            assert land["share"] == "54.15" and land["threshold"] == "40.00"
    if who in SECTION:
        own = c.get("/api/v1/monitor/summary", {"year": 2024}).json()
        assert own["jurisdiction_id"] in (w.district.pk, w.other_district.pk, w.province.pk,
                                          w.city.pk)  # fmt: skip


def test_summary_rolls_up_for_the_supervisor(w):
    c = client_for(w, "supervisor")
    city = c.get("/api/v1/monitor/summary", {"year": 2024, "jurisdiction": w.city.pk}).json()
    a = c.get("/api/v1/monitor/summary", {"year": 2024, "jurisdiction": w.district.pk}).json()
    b = c.get("/api/v1/monitor/summary", {"year": 2024, "jurisdiction": w.other_district.pk}).json()
    for rc, ra, rb in zip(city["rows"], a["rows"], b["rows"], strict=True):
        assert Decimal(rc["ytd"]) == Decimal(ra["ytd"]) + Decimal(rb["ytd"]), rc["code"]
    r = client_for(w, "finance").get(
        "/api/v1/monitor/summary", {"year": 2024, "jurisdiction": w.city.pk}
    )
    assert r.status_code == 404


@per_caller(CALLERS)
def test_thresholds(w, who):
    url = f"/api/v1/monitor/thresholds/{w.district.pk}"
    c = client_for(w, who)
    r = c.get(url)
    assert r.status_code == _status(who, READERS_A)
    if r.status_code == 200:
        assert r.json()["land_dependence_pct"] == "40.00"
        assert r.json()["set_by_jurisdiction_id"] is None
    before = state()
    r = call(c, "PUT", url, {"land_dependence_pct": "55", "growth_margin_pct": "1.5"})
    setters = {"head", "deputy", "deputy2", "finance"}
    if who in setters:
        assert r.status_code == 200 and r.json()["set_by_jurisdiction_id"] == w.district.pk
        return
    if who == ANON:
        assert r.status_code == 401
    elif who in {"outsider_head", "outsider_deputy", "outsider_finance"}:
        assert r.status_code == 404
    else:
        assert r.status_code == 403
    assert state() == before


def test_thresholds_bad_values_named(w):
    url = f"/api/v1/monitor/thresholds/{w.district.pk}"
    before = state()
    r = call(client_for(w, "head"), "PUT", url,
             {"land_dependence_pct": "101", "growth_margin_pct": "0"})  # fmt: skip
    assert r.status_code == 400 and "land_dependence_pct" in r.json()["errors"]
    r = call(client_for(w, "head"), "PUT", url, {"land_dependence_pct": "-1",
                                                 "growth_margin_pct": "0"})  # fmt: skip
    assert r.status_code == 422 and "land_dependence_pct" in r.json()["errors"]
    assert state() == before
