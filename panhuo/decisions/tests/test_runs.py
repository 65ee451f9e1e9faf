"""Stored scenario runs: who may save and read them (API and pages), bad input stores nothing,
a stored run re-run gives the same figures, the list searches, and two runs side by side mark
the parameters that differ."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from panhuo.core.tests.api_support import call, client_for
from panhuo.decisions.models import ScenarioRun
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.decisions.runs import rerun
from panhuo.integrity.models import AuditEntry

ON = dt.date(2026, 6, 30)


def test_runs_are_saved_read_and_reproduced(world, pipeline):
    body = {"on": str(ON), "scenarios": 200, "seed": 7, "title": "Base case"}
    office = client_for(world, "office")
    saved = call(office, "post", "/api/v1/scenario-runs", body)
    assert saved.status_code == 201, saved.content
    run = saved.json()
    assert run["params"]["seed"] == 7 and run["result"]["periods"][2]["service"] == "120000.00"
    assert AuditEntry.objects.filter(action="scenario_run.create", object_id=str(run["id"]))
    for who in ("finance", "unit_officer"):  # finance reads the debts but may not store runs
        refused = call(client_for(world, who), "post", "/api/v1/scenario-runs", body)
        assert refused.status_code == 403
    bad = call(office, "post", "/api/v1/scenario-runs", {**body, "failure_pct": 99})
    assert bad.status_code == 400 and "failure_pct" in bad.content.decode()
    assert ScenarioRun.objects.count() == 1
    url = f"/api/v1/scenario-runs/{run['id']}"
    got = {w: client_for(world, w).get(url).status_code
           for w in ("finance", "supervisor", "unit_officer", "outsider_office")}  # fmt: skip
    assert got == {"finance": 200, "supervisor": 200, "unit_officer": 403, "outsider_office": 404}
    assert client_for(world, "outsider_office").get("/api/v1/scenario-runs").json()["count"] == 0
    # Re-running the stored parameters as of its day gives every figure again.
    stored = ScenarioRun.objects.get()
    again = rerun(world.users["finance"], stored)
    assert again["same"] and again["result"]["periods"] == stored.result["periods"]
    stored.params = {**stored.params, "seed": 8}
    assert not rerun(world.users["finance"], stored)["same"]
    # The CLI stores a run too (the office), and refuses finance naming why.
    call_command("plan", "scenario", "--jurisdiction", world.district.code, "--as", "office",
                 "--as-of", str(ON), "--scenarios", "200", "--save", "--title", "CLI",
                 stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    assert ScenarioRun.objects.filter(title="CLI", ran_by=world.users["office"]).exists()
    with pytest.raises(CommandError):
        call_command("plan", "scenario", "--jurisdiction", world.district.code, "--as",
                     "finance", "--scenarios", "200", "--save", stdout=io.StringIO())  # fmt: skip


def test_the_pages_save_list_and_compare(world, pipeline):
    office = client_for(world, "office")
    page = office.get(f"/plans/scenarios/?on={ON}&scenarios=200")
    assert b'data-testid="scenario-save"' in page.content
    assert b"scenario-save" not in client_for(world, "finance").get(
        f"/plans/scenarios/?on={ON}&scenarios=200").content  # fmt: skip
    form = {"on": str(ON), "scenarios": "200", "seed": "1", "title": "Calm"}
    first = office.post("/plans/scenarios/save/", form)
    second = office.post("/plans/scenarios/save/", {**form, "seed": "2", "price_sd_pct": "40",
                                                    "title": "Rough"})  # fmt: skip
    a, b = ScenarioRun.objects.order_by("pk")
    assert first.url == f"/plans/scenarios/runs/{a.pk}/" and second.status_code == 302
    refused = office.post("/plans/scenarios/save/", {**form, "scenarios": "5"})
    assert refused.status_code == 400 and ScenarioRun.objects.count() == 2
    detail = office.get(first.url)
    assert detail.status_code == 200 and b'data-testid="scenario-fan"' in detail.content
    listed = client_for(world, "finance").get("/plans/scenarios/runs/?q=rough")
    assert listed.content.count(b'data-testid="scenario-run-row"') == 1
    cmp = client_for(world, "finance").get(f"/plans/scenarios/compare/?run={a.pk}&run={b.pk}")
    assert cmp.status_code == 200
    # seed and price_sd_pct differ (marked); the twelve quarters side by side.
    assert cmp.content.count(b'data-testid="compare-differs"') == 2
    assert cmp.content.count(b'data-testid="compare-period"') == 12
    one = client_for(world, "finance").get(f"/plans/scenarios/compare/?run={a.pk}")
    assert one.status_code == 400 and b"compare-problem" in one.content
    # A finished optimiser plan joins the comparison (its cash as P50, no spread); an unfinished
    # one is not found.
    quarters = [{"period": t + 1, "starts": "", "cash": "100.00", "service": "120000.00"}
                for t in range(12)]  # fmt: skip
    plan = OptimiserRun.objects.create(
        jurisdiction=world.district, on=ON, status="done", created_by=world.users["office"],
        params={"buffer": "0"}, result={"value_lost": "5.00", "gap_pct": 0.0, "periods": quarters},
    )  # fmt: skip
    both = f"/plans/scenarios/compare/?run={a.pk}&plan={plan.pk}"
    mixed = client_for(world, "finance").get(both)
    assert mixed.status_code == 200 and b"value_lost" in mixed.content
    assert mixed.content.count(b'data-testid="compare-period"') == 12
    # The API gives the same comparison: the run's P50 and miss beside the plan's cash.
    api = f"/api/v1/scenario-comparison?run={a.pk}&plan={plan.pk}"
    got = client_for(world, "finance").get(api).json()
    assert [(i["kind"], i["id"]) for i in got["items"]] == [("run", a.pk), ("plan", plan.pk)]
    q1 = got["periods"][0]
    assert q1["p50"] == [a.result["periods"][0]["p50"], "100.00"]
    assert q1["p_missed"] == [a.result["periods"][0]["p_missed"], None]
    assert next(p for p in got["params"] if p["name"] == "value_lost")["differs"]
    only = client_for(world, "finance").get(f"/api/v1/scenario-comparison?run={a.pk}")
    assert only.status_code == 400 and "run" in only.json()["errors"]
    assert client_for(world, "unit_officer").get(api).status_code == 403
    assert client_for(world, "outsider_office").get(api).status_code == 404
    OptimiserRun.objects.filter(pk=plan.pk).update(status="queued")
    assert client_for(world, "finance").get(both).status_code == 404
    assert client_for(world, "finance").get(api).status_code == 404
    hidden = client_for(world, "outsider_office").get(
        f"/plans/scenarios/compare/?run={a.pk}&run={b.pk}")  # fmt: skip
    assert hidden.status_code == 404
