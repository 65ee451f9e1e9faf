"""Amounts cannot be misread (issue 12, item 6): the unit of every amount input, and the
plausibility gate where a reserve or price is set — the reported abuse (a reserve typed in yuan
while the page showed 万元, at 0.01 % of the appraisal, submitted and approved without a
warning) is refused, and a confirmed amount is recorded in the audit entry and the timeline."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from panhuo.core.gates import GateRefused
from panhuo.core.testing import AssetFactory, appraise, decision_documents
from panhuo.core.tests.api_support import call, client_for, fingerprint
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject, ProjectEvent
from panhuo.integrity.models import AuditEntry

pytestmark = pytest.mark.amount_check

APPRAISED = D("5000000.00")  # 500 万元


def _package(w, appraisal=APPRAISED):
    asset = AssetFactory(unit=w.unit, kind="building", appraisal=appraisal)
    return ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel="auction",
        asset_ids=[asset.pk],
    )


def test_the_reported_abuse_is_refused_and_writes_nothing(world):
    package = _package(world)
    before = fingerprint()
    with pytest.raises(GateRefused) as exc:
        # "500" meant 500 万元 but typed as yuan: 0.01 % of the appraisal.
        ds.project_create(actor=world.user("office"), package=package, reserve_price=D("500"))
    assert fingerprint() == before
    assert exc.value.rule.code == "amount_implausible"
    assert "0.01 %" in exc.value.text and "confirm" in exc.value.unblock


def test_a_confirmed_amount_is_recorded_and_not_asked_again(world):
    package = _package(world)
    p = ds.project_create(
        actor=world.user("office"), package=package, reserve_price=D("500"), confirm_amount=True
    )
    event = ProjectEvent.objects.get(project=p, transition="confirm_amount")
    assert "0.01 %" in event.comment and "[reserve_price=500.00]" in event.comment
    entry = AuditEntry.objects.get(action="project.create", object_id=str(p.pk))
    assert "amount_confirmed" in entry.after
    # Submitting the same reserve needs no second confirmation; the approver sees the event.
    p = ds.project_transition(actor=world.user("office"), project=p, transition="submit")
    assert p.status == "submitted"


def test_an_appraisal_after_the_draft_holds_the_submission(world):
    package = _package(world, appraisal=False)
    p = ds.project_create(actor=world.user("office"), package=package, reserve_price=D("500"))
    appraise(package.items.get().asset, APPRAISED)
    with pytest.raises(GateRefused):
        ds.project_transition(actor=world.user("office"), project=p, transition="submit")
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="submit", confirm_amount=True
    )
    assert p.status == "submitted"
    assert AuditEntry.objects.filter(action="project.submit", after__has_key="amount_confirmed")


@pytest.mark.parametrize(
    ("reserve", "ok"),
    [("2500000.00", True), ("2499999.99", False), ("25000000.00", True), ("25000000.01", False)],
)
def test_the_update_gate_at_its_thresholds(world, reserve, ok):
    p = ds.project_create(
        actor=world.user("office"), package=_package(world), reserve_price=APPRAISED
    )
    if ok:
        ds.project_update(actor=world.user("office"), project=p, data={"reserve_price": D(reserve)})
        return
    with pytest.raises(GateRefused):
        ds.project_update(actor=world.user("office"), project=p, data={"reserve_price": D(reserve)})
    assert DisposalProject.objects.get(pk=p.pk).reserve_price == APPRAISED


def test_the_deal_price_is_judged_too(world):
    p = ds.project_create(
        actor=world.user("office"), package=_package(world), reserve_price=APPRAISED
    )
    for name, who in (("submit", "office"), ("approve", "head"), ("list", "office")):
        if name == "approve":
            decision_documents(world, p)
        p = ds.project_transition(actor=world.user(who), project=p, transition=name)
    with pytest.raises(GateRefused) as exc:
        ds.project_transition(
            actor=world.user("office"), project=p, transition="conclude",
            deal_price=D("50000000.00"), buyer="B Ltd",
        )  # fmt: skip
    assert exc.value.field == "deal_price"


def test_the_api_takes_wan_exactly_and_refuses_an_implausible_reserve(world):
    package = _package(world)
    c = client_for(world, "office")
    r = call(c, "POST", "/api/v1/projects", {"package": package.pk, "reserve_price": "500"})
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "amount_implausible"
    r = call(
        c, "POST", "/api/v1/projects",
        {"package": package.pk, "reserve_price": "500.0001", "unit": "wan"},
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["reserve_price"] == "5000001.00"
    # The project shows the rule set applied, each threshold with its legal source.
    rule_set = r.json()["rule_set"]
    assert [c["code"] for c in rule_set["classes"]] == ["administrative"]
    sources = {t["name"]: t["source"] for t in rule_set["thresholds"]}
    assert sources["appraisal_validity_months"] == "Decree 738 art. 36"
    r = call(
        c, "PATCH", f"/api/v1/projects/{r.json()['id']}",
        {"reserve_price": "1.234"},
    )  # fmt: skip
    assert r.status_code == 422  # a fraction of a fen is not an amount in yuan
    assert "reserve_price" in r.content.decode()


def test_the_api_takes_yi_exactly(world):
    package = _package(world)
    c = client_for(world, "office")
    body = {"package": package.pk, "reserve_price": "0.0500000123", "unit": "yi"}
    r = call(c, "POST", "/api/v1/projects", body)
    assert r.status_code == 201 and r.json()["reserve_price"] == "5000001.23"
    body = {"package": package.pk, "reserve_price": "0.05000001234", "unit": "yi"}
    r = call(c, "POST", "/api/v1/projects", body)
    assert r.status_code == 422 and "reserve_price" in r.content.decode()


def test_the_page_states_the_unit_and_converts_wan(world):
    package = _package(world)
    c = client_for(world, "office")
    url = reverse("project-create", args=[package.pk])
    page = c.get(url).content.decode()
    assert 'name="reserve_price_unit"' in page and "万元" in page
    r = c.post(url, {"channel": "auction", "reserve_price": "100", "reserve_price_unit": "yuan"})
    assert r.status_code == 200 and "amount_implausible" in r.content.decode()
    assert not DisposalProject.objects.exists()
    r = c.post(url, {"channel": "auction", "reserve_price": "520", "reserve_price_unit": "wan"})
    assert r.status_code == 302
    project = DisposalProject.objects.get()
    assert project.reserve_price == D("5200000.00")
    page = c.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="rule-set"' in page and "Decree 738" in page
