"""The asset endpoints: every role, allowed and denied, and bad input that writes nothing."""

import json
from decimal import Decimal
from unittest.mock import ANY

import pytest

from panhuo.core.tests.api_support import (
    CALLERS,
    NO_ROLE,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    build_api_world,
    call,
    check,
    client_for,
    each,
    expect,
    fingerprint,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.register.models import Asset
from panhuo.register.services import asset_update

SEES_ASSET = READERS_A | {"unit_officer"}  # the U1 asset in district A
SEES_OTHER = READERS_B | {"outsider_unit_officer", "supervisor"}  # the district B asset
WRITERS = {"office", "office2", "unit_officer"}
#: Hold the write role, but not over unit U1: the unit answers as missing.
WRITERS_ELSEWHERE = {"other_unit_officer", "outsider_office", "outsider_unit_officer"}


@pytest.fixture
def aw(world):
    return build_api_world(world)


def new_asset(aw, **over):
    return {
        "code": "NEW-1",
        "name": "Vacant warehouse",
        "kind": "building",
        "unit": aw.w.unit.pk,
        "book_value": "1200000.50",
        "appraised_value": "1500000",
        **over,
    }


# --- Every endpoint × every caller -------------------------------------------------------------


@per_caller(CALLERS)
def test_asset_list(aw, who):
    status = expect(403, **each(READERS_A | READERS_B | UNIT_OFFICERS, 200))
    r = check(aw, who, "GET", "/api/v1/assets?page_size=500", expected=status)
    if r.status_code == 200:
        ids = {row["id"] for row in r.json()["results"]}
        assert (aw.asset.pk in ids) == (who in SEES_ASSET)
        assert (aw.asset2.pk in ids) == (who in READERS_A | {"other_unit_officer"})
        assert (aw.other_asset.pk in ids) == (who in SEES_OTHER)
        assert r.json()["count"] == len(ids)


@per_caller(CALLERS)
def test_asset_create(aw, who):
    status = expect(403, **each(WRITERS, 201), **each(WRITERS_ELSEWHERE, 404))
    before = AuditEntry.objects.count()
    r = check(aw, who, "POST", "/api/v1/assets", new_asset(aw), expected=status)
    if r.status_code == 201:
        asset = Asset.objects.get(pk=r.json()["id"])
        assert asset.book_value == Decimal("1200000.50")
        assert r.json()["book_value"] == "1200000.50"  # a string, never a float
        assert r.json()["appraised_value"] == "1500000.00"
        assert AuditEntry.objects.count() == before + 1
    elif r.status_code == 404 and who in WRITERS_ELSEWHERE:
        assert "unit" in r.json()["errors"]


@per_caller(CALLERS)
def test_asset_detail(aw, who):
    status = expect(404, **each(SEES_ASSET, 200))
    r = check(aw, who, "GET", f"/api/v1/assets/{aw.asset.pk}", expected=status)
    if r.status_code == 200:
        assert r.json()["code"] == aw.asset.code
        assert r.json()["unit"]["id"] == aw.w.unit.pk
    elif r.status_code == 404:
        assert r.json() == {"detail": "Not found."}


@per_caller(CALLERS)
def test_asset_change(aw, who):
    status = expect(403, **each(WRITERS, 200), **each(WRITERS_ELSEWHERE, 404))
    r = check(
        aw,
        who,
        "PATCH",
        f"/api/v1/assets/{aw.asset.pk}",
        {"name": "Renamed", "book_value": "10.00", "version": 1},
        expected=status,
    )
    aw.asset.refresh_from_db()
    if r.status_code == 200:
        assert (aw.asset.name, aw.asset.version) == ("Renamed", 2)
        assert r.json()["version"] == 2
    else:
        assert aw.asset.name != "Renamed"


@per_caller(CALLERS)
def test_asset_history(aw, who):
    asset_update(actor=aw.w.user("office"), asset=aw.asset, data={"name": "Changed once"})
    status = expect(404, **each(SEES_ASSET, 200))
    r = check(aw, who, "GET", f"/api/v1/assets/{aw.asset.pk}/history", expected=status)
    if r.status_code == 200:
        (entry,) = r.json()["results"]
        assert entry["action"] == "asset.update"
        assert entry["after"] == {"name": "Changed once", "updated_at": ANY}


# --- Lists: filters, ordering, pagination ------------------------------------------------------


def test_asset_list_filters_and_sorts(aw):
    c = client_for(aw.w, "office")
    aw.asset_free.kind, aw.asset_free.book_value = "land", Decimal("10.00")
    aw.asset_free.save()
    r = c.get("/api/v1/assets", {"kind": "land"})
    assert [a["id"] for a in r.json()["results"]] == [aw.asset_free.pk]
    r = c.get("/api/v1/assets", {"max_value": "100"})
    assert [a["id"] for a in r.json()["results"]] == [aw.asset_free.pk]
    r = c.get("/api/v1/assets", {"min_value": "100", "unit": aw.w.unit2.pk})
    assert [a["id"] for a in r.json()["results"]] == [aw.asset2.pk]
    r = c.get("/api/v1/assets", {"q": aw.asset2.code})
    assert [a["id"] for a in r.json()["results"]] == [aw.asset2.pk]
    r = c.get("/api/v1/assets", {"jurisdiction": aw.w.other_district.pk})
    assert r.json()["count"] == 0
    values = [
        Decimal(a["book_value"])
        for a in c.get("/api/v1/assets?ordering=-book_value").json()["results"]
    ]
    assert values == sorted(values, reverse=True) and values[-1] == Decimal("10.00")
    values = [
        Decimal(a["book_value"])
        for a in c.get("/api/v1/assets?ordering=book_value").json()["results"]
    ]
    assert values == sorted(values)


def test_asset_list_pages(aw):
    c = client_for(aw.w, "office")
    total = Asset.objects.visible_to(aw.w.user("office")).count()
    first = c.get("/api/v1/assets?page_size=2&ordering=code").json()
    second = c.get("/api/v1/assets?page_size=2&page=2&ordering=code").json()
    assert first["count"] == second["count"] == total
    assert (first["page"], first["page_size"], len(first["results"])) == (1, 2, 2)
    assert not {a["id"] for a in first["results"]} & {a["id"] for a in second["results"]}
    # Past the end, whatever the number: an empty page, not an error.
    for page in (99, 10**30):
        r = c.get(f"/api/v1/assets?page={page}")
        assert r.status_code == 200 and r.json()["results"] == []
    # The page size is clamped to the configured maximum, and says so.
    assert c.get("/api/v1/assets?page_size=100000").json()["page_size"] == 500


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("page_size=0", "page_size"),
        ("ordering=password", "ordering"),
        ("kind=castle", "kind"),
        ("status=sold", "status"),
        ("criticality=x", "criticality"),
        ("unit=abc", "unit"),
        ("unit=99999999999999999999999", "unit"),
        ("jurisdiction=-4", "jurisdiction"),
        ("min_value=abc", "min_value"),
        ("min_value=NaN", "min_value"),
        ("max_value=1e999", "max_value"),
        ("max_value=Infinity", "max_value"),
        ("q=a%00b", "q"),
    ],
)
def test_asset_list_bad_query_names_the_parameter(aw, query, field):
    r = client_for(aw.w, "office").get(f"/api/v1/assets?{query}")
    assert r.status_code == 422, r.content
    assert field in r.json()["errors"]


# --- Bad input: a clear 4xx naming the field, and nothing written ------------------------------


@pytest.mark.parametrize(
    "value",
    ["abc", "-5", "1e999", "NaN", "Infinity", "-Infinity", "1.234", "", "1,000", True, [], {}],
)
def test_bad_amounts_name_the_field_and_write_nothing(aw, value):
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/assets", new_asset(aw, book_value=value))
    assert r.status_code == 422, r.content
    assert list(r.json()["errors"]) == ["book_value"]
    assert fingerprint() == before


@pytest.mark.parametrize("literal", ["1.5", "1e999", "NaN", "Infinity", "-5"])
def test_json_numbers_are_refused_for_money(aw, literal):
    """Floats (and JSON's 1e999/NaN, which arrive as floats) are not money."""
    body = json.dumps(new_asset(aw)).replace('"1200000.50"', literal)
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/assets", body)
    assert r.status_code == 422, r.content
    assert "book_value" in r.json()["errors"]
    assert fingerprint() == before


def test_whole_numbers_are_accepted_as_money(aw):
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/assets", new_asset(aw, book_value=1200))
    assert r.status_code == 201 and r.json()["book_value"] == "1200.00"


@pytest.mark.parametrize("missing", ["code", "name", "kind", "unit"])
def test_missing_required_field_is_named(aw, missing):
    body = new_asset(aw)
    del body[missing]
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/assets", body)
    assert r.status_code == 422
    assert missing in r.json()["errors"]
    assert any(e["loc"][-1] == missing for e in r.json()["detail"])
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"kind": "castle"}, 422, "kind"),
        ({"unit": 987654}, 404, "unit"),
        ({"unit": "abc"}, 422, "unit"),
        ({"name": "x" * 201}, 422, "name"),
        ({"name": "nul\x00byte"}, 422, "name"),
        ({"latitude": "95"}, 400, "latitude"),
        ({"latitude": "1.1234567"}, 422, "latitude"),
        ({"area": "-1"}, 422, "area"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_bad_fields_are_named(aw, over, status, field):
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/assets", new_asset(aw, **over))
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert fingerprint() == before


def test_duplicate_code_is_refused(aw):
    before = fingerprint()
    r = call(
        client_for(aw.w, "office"), "POST", "/api/v1/assets", new_asset(aw, code=aw.asset.code)
    )
    assert r.status_code == 400, r.content
    assert "already exists" in json.dumps(r.json()["errors"])
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("path", "status"),
    [("abc", 422), ("0", 422), ("-1", 422), ("1e3", 422), ("99999999999999999999", 422)],
)
def test_bad_ids_are_4xx(aw, path, status):
    c = client_for(aw.w, "office")
    assert c.get(f"/api/v1/assets/{path}").status_code == status
    before = fingerprint()
    assert call(c, "PATCH", f"/api/v1/assets/{path}", {"name": "x"}).status_code == status
    assert fingerprint() == before


def test_unknown_id_is_404(aw):
    c = client_for(aw.w, "office")
    assert c.get("/api/v1/assets/987654").json() == {"detail": "Not found."}
    assert c.get("/api/v1/assets/987654").status_code == 404


def test_stale_version_is_a_conflict(aw):
    c = client_for(aw.w, "office")
    asset_update(actor=aw.w.user("office2"), asset=aw.asset, data={"name": "Meanwhile"})
    before = fingerprint()
    r = call(c, "PATCH", f"/api/v1/assets/{aw.asset.pk}", {"name": "Mine", "version": 1})
    assert r.status_code == 409
    assert "version 2" in r.json()["detail"]
    assert fingerprint() == before
    r = call(c, "PATCH", f"/api/v1/assets/{aw.asset.pk}", {"name": "Mine", "version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": None}, 400, "name"),
        ({"book_value": None}, 400, "book_value"),
        ({"unit": 987654}, 404, "unit"),
        ({"version": "abc"}, 422, "version"),
        ({"book_value": "-1"}, 422, "book_value"),
        ({"id": 5}, 422, "id"),
    ],
)
def test_bad_patch_is_named_and_changes_nothing(aw, body, status, field):
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "PATCH", f"/api/v1/assets/{aw.asset.pk}", body)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"]
    assert fingerprint() == before


def test_moving_an_asset_to_a_unit_the_officer_does_not_hold_is_refused(aw):
    before = fingerprint()
    r = call(
        client_for(aw.w, "unit_officer"),
        "PATCH",
        f"/api/v1/assets/{aw.asset.pk}",
        {"unit": aw.w.unit2.pk},
    )
    assert r.status_code == 404 and "unit" in r.json()["errors"]
    assert fingerprint() == before
    # The office may move it within the district.
    r = call(
        client_for(aw.w, "office"),
        "PATCH",
        f"/api/v1/assets/{aw.asset.pk}",
        {"unit": aw.w.unit2.pk},
    )
    assert r.status_code == 200 and r.json()["unit"]["id"] == aw.w.unit2.pk


def test_no_role_is_refused_before_looking_anything_up(aw):
    for who in NO_ROLE:
        r = call(client_for(aw.w, who), "POST", "/api/v1/assets", new_asset(aw, unit=987654))
        assert r.status_code == 403


# --- The fuller record -----------------------------------------------------------------------


def test_full_record_round_trip(aw):
    body = new_asset(
        aw,
        kind="vehicle",
        certificate_number="CERT-9",
        title_complete=True,
        idle_since="2024-03-01",
        accumulated_depreciation="200000.50",
        annual_income="1000",
        annual_holding_cost="250.25",
        acquired_on="2019-05-20",
        attributes={"plate": "沪A12345", "mileage_km": 120000},
    )
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/assets", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["net_book_value"] == "1000000.00"
    assert out["annual_holding_cost"] == "250.25"
    assert out["attributes"] == {"plate": "沪A12345", "mileage_km": 120000}
    assert (out["idle_since"], out["title_complete"]) == ("2024-03-01", True)
    r = call(
        client_for(aw.w, "office"),
        "PATCH",
        f"/api/v1/assets/{out['id']}",
        {"attributes": {"plate": "沪B00001"}, "version": out["version"]},
    )
    assert r.status_code == 200 and r.json()["attributes"] == {"plate": "沪B00001"}


@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"classification": "NO-SUCH"}, 400, "classification"),
        ({"attributes": {"wings": 2}}, 400, "attributes.wings"),
        ({"attributes": {"floors": "many"}}, 400, "attributes.floors"),
        ({"attributes": {"floors": 2.5}}, 422, "attributes.floors"),
        ({"attributes": {"structure": "a\x00b"}}, 422, "attributes.structure"),
        ({"attributes": ["floors"]}, 422, "attributes"),
        ({"accumulated_depreciation": "2000000.00"}, 400, "accumulated_depreciation"),
        ({"idle_since": "2999-01-01"}, 400, "idle_since"),
        ({"idle_since": "last year"}, 422, "idle_since"),
        ({"annual_income": "-1"}, 422, "annual_income"),
        ({"title_complete": "maybe"}, 422, "title_complete"),
    ],
)
def test_bad_full_record_fields_are_named(aw, over, status, field):
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/assets", new_asset(aw, **over))
    assert r.status_code == status, r.content
    assert any(key == field or key.startswith(f"{field}.") for key in r.json()["errors"]), r.json()
    assert fingerprint() == before
