"""Scope through the API in depth: the proposal, the rules, decisions and their lists, called
by every caller; refused writes change nothing.
"""

from decimal import Decimal

import pytest

from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    call,
    client_for,
    each,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.register import scope
from panhuo.register.scope_models import ScopeDecision, ScopeDecisionItem, ScopeRuleSet
from panhuo.register.tests.api_depth_support import (
    DECIDERS_A,
    DECIDERS_B,
    RULE_SETTERS_A,
    RULE_SETTERS_B,
    check,
    full_fingerprint,
)


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
