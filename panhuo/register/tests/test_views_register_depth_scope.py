"""Scope through the register's pages: the proposal and its reasons, the rules, decisions, and
denied writes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from panhuo.core.testing import forget_fixture_scope
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import (
    USERS,
    client_for,
)
from panhuo.integrity.models import AuditEntry
from panhuo.register.scope_models import ScopeDecision, ScopeRuleSet
from panhuo.register.tests.views_depth_support import (
    SCOPE_DECIDERS,
    SCOPE_DECIDERS_B,
    SCOPE_RULES,
    SCOPE_RULES_B,
    fingerprint,
    in_scope_asset,
    scope_decision,
)

# --- scope --------------------------------------------------------------------------------


def test_proposal_shows_each_asset_in_or_out_with_reasons(world, sample):
    good = in_scope_asset(world, code="SC-1")
    in_scope_asset(world, code="SC-2", title_complete=False)
    essential = in_scope_asset(world, code="SC-3", criticality="essential")
    c = client_for(world, "deputy")
    page = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk})
    assert page.status_code == 200
    by_code = {p.asset.code: p for p in page.context["page"]}
    assert by_code["SC-1"].included and "clear title" in by_code["SC-1"].reasons
    assert not by_code["SC-2"].included and "title incomplete" in by_code["SC-2"].reasons
    assert "essential public service" in by_code[essential.code].reasons
    assert sample.a.other_asset.code not in by_code  # district B
    counts = page.context["counts"]
    assert counts["in"] == 1 and counts["all"] == counts["in"] + counts["out"]
    body = page.content.decode()
    assert "title incomplete" in body and good.get_absolute_url() in body
    only_in = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk, "show": "in"})
    assert [p.asset.code for p in only_in.context["page"]] == ["SC-1"]
    only_out = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk, "show": "out"})
    assert "SC-1" not in {p.asset.code for p in only_out.context["page"]}
    # The supervisor reads the city; the proposal pages through every asset.
    for n in range(60):
        in_scope_asset(world, code=f"SP-{n:02d}")
    city = client_for(world, "supervisor").get(reverse("scope-proposal"), {"page": "2"})
    assert city.context["jurisdiction"] == world.city and city.context["page"].number == 2


def test_office_sets_the_rules_and_the_proposal_follows(world):
    in_scope_asset(world, code="SC-1", idle_since=dt.date.today() - dt.timedelta(days=100))
    c = client_for(world, "office")
    url = reverse("scope-rules") + f"?jurisdiction={world.district.pk}"
    page = c.get(url)
    assert page.context["form"].initial["min_idle_months"] == 6
    assert "default rules" in page.content.decode()
    before_in = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk})
    assert before_in.context["counts"]["in"] == 0  # idle 3 months < 6
    response = c.post(url, {"min_idle_months": "2", "require_clear_title": "on",
                            "require_unencumbered": "on", "min_value": "0"})  # fmt: skip
    assert response.status_code == 302
    assert ScopeRuleSet.objects.get(jurisdiction=world.district).min_idle_months == 2
    after = c.get(reverse("scope-proposal"), {"jurisdiction": world.district.pk})
    assert after.context["counts"]["in"] == 1
    assert AuditEntry.objects.filter(action="scope.rules_update").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"min_idle_months": "-1", "min_value": "0"}, "min_idle_months"),
        ({"min_idle_months": "six", "min_value": "0"}, "min_idle_months"),
        ({"min_idle_months": "6", "min_value": "-5"}, "min_value"),
        ({"min_idle_months": "6"}, "min_value"),
    ],
)
def test_rules_bad_input_names_the_field_and_writes_nothing(world, data, field):
    before = fingerprint()
    response = client_for(world, "office").post(
        reverse("scope-rules") + f"?jurisdiction={world.district.pk}", data
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert fingerprint() == before


@per_caller(sorted(set(USERS) - SCOPE_RULES))
def test_rules_denied_write_nothing(world, who):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("scope-rules") + f"?jurisdiction={world.district.pk}",
        {"min_idle_months": "1", "min_value": "0"},
    )
    assert response.status_code == (404 if who in SCOPE_RULES_B else 403)
    assert fingerprint() == before


def test_head_records_a_decision_narrowed_by_ticking(world, sample):
    a, b, c_ = (in_scope_asset(world, code=f"SC-{n}") for n in (1, 2, 3))
    out = in_scope_asset(world, code="SC-OUT", title_complete=False)
    forget_fixture_scope()  # the decision this test reads is the one it records
    c = client_for(world, "head")
    url = reverse("scope-decide") + f"?jurisdiction={world.district.pk}"
    page = c.get(url)
    body = page.content.decode()
    assert {p.asset.code for p in page.context["candidates"]} == {"SC-1", "SC-2", "SC-3"}
    assert body.count('type="checkbox" name="include"') == 3 and "checked" in body
    response = c.post(url, {"include": [a.pk, c_.pk], "note": "Meeting 2026-3"})
    decision = ScopeDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == decision.get_absolute_url()
    items = {i.asset.code: i for i in decision.items.select_related("asset")}
    assert items["SC-1"].included and items["SC-3"].included
    assert not items["SC-2"].included and items["SC-2"].reasons == [
        "not confirmed by the task force"
    ]
    assert not items["SC-OUT"].included and "title incomplete" in items["SC-OUT"].reasons
    detail = client_for(world, "auditor").get(decision.get_absolute_url())
    assert detail.context["counts"]["in"] == 2
    text = detail.content.decode()
    assert "Meeting 2026-3" in text and "not confirmed by the task force" in text
    only_in = client_for(world, "auditor").get(decision.get_absolute_url(), {"show": "in"})
    assert {i.asset.code for i in only_in.context["page"]} == {"SC-1", "SC-3"}
    assert b.pk and out.pk
    listed = client_for(world, "supervisor").get(reverse("scope-decision-list")).content.decode()
    assert decision.get_absolute_url() in listed


def test_a_decision_cannot_include_an_exclusion(world):
    in_scope_asset(world, code="SC-1")
    out = in_scope_asset(world, code="SC-OUT", criticality="essential")
    before = fingerprint()
    response = client_for(world, "deputy").post(
        reverse("scope-decide") + f"?jurisdiction={world.district.pk}",
        {"include": [out.pk], "note": ""},
    )
    assert response.status_code == 200
    assert "include" in response.context["form"].errors
    assert b"not scope candidates" in response.content
    bad = client_for(world, "deputy").post(
        reverse("scope-decide") + f"?jurisdiction={world.district.pk}", {"include": ["x"]}
    )
    assert bad.status_code == 200 and "include" in bad.context["form"].errors
    assert fingerprint() == before


@per_caller(sorted(set(USERS) - SCOPE_DECIDERS))
def test_decision_denied_writes_nothing(world, who):
    asset = in_scope_asset(world, code="SC-1")
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("scope-decide") + f"?jurisdiction={world.district.pk}", {"include": [asset.pk]}
    )
    assert response.status_code == (404 if who in SCOPE_DECIDERS_B else 403)
    assert fingerprint() == before


def test_decision_of_district_a_is_missing_for_district_b(world):
    decision = scope_decision(world)
    assert client_for(world, "outsider_head").get(decision.get_absolute_url()).status_code == 404
    body = client_for(world, "outsider_head").get(reverse("scope-decision-list")).content
    assert decision.get_absolute_url().encode() not in body
