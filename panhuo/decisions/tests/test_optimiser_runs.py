"""The plan optimiser on the records, through the API, the pages and the CLI: who may run,
read, cancel and adopt; the run solved by the worker's task; an unvalued package left out by
name (an essential asset never enters a package: the database refuses it); a debt without a
schedule, a horizon with no debt service and a parameter out of bounds refused by name (nothing
written); adopting opens a draft project per chosen package by its channel, once."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from panhuo.core.testing import AssetFactory, appraise
from panhuo.core.tests.api_support import client_for
from panhuo.decisions.optimiser import runs
from panhuo.decisions.optimiser.models import OptimiserRun
from panhuo.decisions.tests.test_decision_pages import _debt
from panhuo.disposal.models import DisposalProject, Package, PackageItem
from panhuo.integrity.models import AuditEntry
from panhuo.planning.models import WorkPlan
from panhuo.planning.services import plan_draft
from panhuo.planning.tests.support import plan_data

ON = dt.date(2026, 6, 30)


def _package(world, code, value, *, criticality="non_essential", valued=True):
    a = AssetFactory(unit=world.unit, criticality=criticality, annual_income=D("100000"))
    if valued:
        appraise(a, D(value), base_date=dt.date(2026, 3, 1))
    pkg = Package.objects.create(code=code, name=code, jurisdiction=world.district,
                                 channel="auction", created_by=world.users["office"])  # fmt: skip
    PackageItem.objects.create(package=pkg, asset=a)
    return pkg


def test_a_run_from_the_api_to_an_adopted_plan(world):
    office = client_for(world, "office")
    url = "/api/v1/optimiser/runs"
    body = {"on": str(ON), "time_limit": 10}
    _package(world, "PK-O1", "2000000.00")
    _package(world, "PK-O2", "900000.00")
    _package(world, "PK-NOVAL", "1", valued=False)
    nosched = _debt(world, "D-NS", "4.0", schedule=False)
    bad = office.post(url, body, content_type="application/json")  # a debt without a schedule
    assert bad.status_code == 400 and "D-NS" in bad.content.decode()
    nosched.delete()
    _debt(world, "D-OPT", "4.0")  # bullet: 120,000 interest each 1 January, matures 2030
    none_due = office.post(url, {**body, "horizon": 1}, content_type="application/json")
    assert none_due.status_code == 400 and "horizon" in none_due.content.decode()
    out_of_bounds = office.post(url, {**body, "gap_pct": 90}, content_type="application/json")
    assert out_of_bounds.status_code == 400 and "gap_pct" in out_of_bounds.content.decode()
    slow = office.post(url, {**body, "approval_days": 400}, content_type="application/json")
    assert slow.status_code == 400 and "approval_days is 400, outside" in slow.content.decode()
    assert not OptimiserRun.objects.exists()
    who = ("supervisor", "unit_officer", "auditor")
    assert {w: client_for(world, w).post(url, body, content_type="application/json").status_code
            for w in who} == {"supervisor": 403, "unit_officer": 403, "auditor": 403}  # fmt: skip
    made = office.post(url, {**body, "buffer": "50000"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "queued"
    run = OptimiserRun.objects.get(pk=made.json()["id"])
    assert runs.optimise_task.call(run.pk) == "done"
    got = client_for(world, "supervisor").get(f"{url}/{run.pk}").json()  # readers read it
    r = got["result"]
    assert got["status"] == "done" and r["status"] == "optimal" and r["gap_pct"] is not None
    assert {x["code"] for x in r["left_out"]} == {"PK-NOVAL"}
    assert len({c["package"] for c in r["plan"]}) == len(r["plan"]) >= 1
    assert all(D(p["carry"]) >= D("50000") for p in r["periods"])
    assert [p["service"] for p in r["periods"]][2] == "120000.00"
    assert client_for(world, "unit_officer").get(f"{url}/{run.pk}").status_code == 403
    # The page shows the plan, the gap, the binding quarters and the greedy baseline.
    page = office.get(f"/plans/optimiser/{run.pk}/")
    for testid in (b"optimiser-gap", b"optimiser-binding", b"optimiser-greedy",
                   b"optimiser-choice", b"optimiser-adopt"):  # fmt: skip
        assert testid in page.content
    assert b"optimiser-adopt" not in client_for(world, "finance").get(
        f"/plans/optimiser/{run.pk}/").content  # fmt: skip
    # Approvals taking a year (the run's lead times): no package's money comes before the
    # fifth quarter, so the interest of 1 January 2027 (the third) cannot be covered, named.
    late = {**body, "approval_days": 365, "finance_approval_days": 365}
    late = office.post(url, late, content_type="application/json").json()
    assert runs.optimise_task.call(late["id"]) == "done"
    late = OptimiserRun.objects.get(pk=late["id"])
    assert late.params["approval_days"] == "365" and late.result["plan"] == []
    assert late.result["shortfall"]["period"] == 3 and "Quarter 3" in late.message
    # Finance may not adopt; the office adopts once: a draft project per chosen package.
    assert client_for(world, "finance").post(f"{url}/{run.pk}/adopt").status_code == 403
    adopted = office.post(f"{url}/{run.pk}/adopt")
    assert adopted.status_code == 200 and adopted.json()["status"] == "adopted"
    projects = DisposalProject.objects.filter(package__code__in=[c["package"] for c in r["plan"]])
    assert sorted((p.package.code, p.channel, p.status) for p in projects) == sorted(
        (c["package"], c["channel"], "draft") for c in r["plan"])  # fmt: skip
    again = office.post(f"{url}/{run.pk}/adopt")
    assert again.status_code == 400 and "status" in again.content.decode()
    assert AuditEntry.objects.filter(action__startswith="optimiser_run.").count() == 3
    _feeds_the_work_plan(world, office, run)


def _feeds_the_work_plan(world, office, run):
    """The adopted plan's money raised and debt service by calendar quarter, shown on the run's
    page, proposed as the work plan's targets: a new draft for 2027; 2028's approved plan is
    revised (its assets target kept); a year outside the horizon, a plan awaiting its decision
    and a reader without work_plan.edit are refused, nothing written."""
    run.refresh_from_db()
    page = office.get(f"/plans/optimiser/{run.pk}/").content.decode()
    assert 'data-testid="optimiser-targets-2027"' in page and "optimiser-propose-2027" in page
    assert "optimiser-propose" not in client_for(world, "finance").get(
        f"/plans/optimiser/{run.pk}/").content.decode()  # fmt: skip
    url = f"/plans/from-optimiser/{run.pk}/"
    assert client_for(world, "finance").post(url, {"year": "2027"}).status_code == 403
    # The plan's quarters run from 30 June; each counts in the calendar quarter of its middle.
    cash = [D(p["cash"]) for p in run.result["periods"]]
    made = office.post(url, {"year": "2027"})
    plan = WorkPlan.objects.get(year=2027)
    assert made.status_code == 302 and made["Location"] == plan.get_absolute_url()
    got = {(t.measure, t.quarter, t.debt_type): t.amount for t in plan.targets.all()}
    money = {("money", q + 1, ""): c for q, c in enumerate(cash[2:6]) if c}
    assert got == {**money, ("debt", 1, "bank_loan"): D("120000.00")}  # interest each 1 Jan
    assert plan.money_total == sum(cash[2:6]) and plan.debt_total == D("120000.00")
    again = office.post(url, {"year": "2027"})  # the draft is updated, not doubled
    assert again.status_code == 302 and WorkPlan.objects.filter(year=2027).count() == 1
    _through_the_api(world, office, run, plan)
    old = plan_draft(actor=world.user("office"), jurisdiction=world.district,
                     data=plan_data(world, 2028))  # fmt: skip
    WorkPlan.objects.filter(pk=old.pk).update(status="approved")
    assert office.post(url, {"year": "2028"}).status_code == 302
    new = WorkPlan.objects.get(year=2028, status="draft")
    assert new.number == 2 and new.assets_total == 5 and new.debt_total == D("120000.00")
    assert new.targets.filter(measure="assets").count() == 2
    WorkPlan.objects.filter(pk=plan.pk).update(status="submitted")
    for year, words in (("2027", "awaits its decision"), ("2031", "not a year")):
        refused = office.post(url, {"year": year}, follow=True)
        assert words in refused.content.decode() and WorkPlan.objects.count() == 3
    assert AuditEntry.objects.filter(action="work_plan.propose_targets").count() == 4


def test_nothing_to_plan_cancel_the_page_form_and_the_cli(world):
    _package(world, "PK-NV", "1", valued=False)
    _debt(world, "D-C", "4.0")
    empty = runs.run_create(actor=world.user("office"), place=world.district, on=ON, params={})
    empty = runs.execute(empty)  # the one package has no valuation: failed, saying so
    assert empty.status == "failed" and "PK-NV" in empty.message
    _package(world, "PK-C1", "3000000.00")
    office = client_for(world, "office")
    page = office.post("/plans/optimiser/", {"on": str(ON), "time_limit": "10"})
    run = OptimiserRun.objects.latest("pk")
    assert page.status_code == 302 and page["Location"] == f"/plans/optimiser/{run.pk}/"
    assert office.get("/plans/optimiser/").status_code == 200
    # A queued run's page follows it: our script polls the API; without script, a meta refresh.
    following = office.get(f"/plans/optimiser/{run.pk}/").content.decode()
    assert f'data-poll-url="/api/v1/optimiser/runs/{run.pk}"' in following
    assert "decisions/optimiser_run" in following and 'http-equiv="refresh"' in following
    assert "optimiser-cancel" in following
    assert client_for(world, "unit_officer").get("/plans/optimiser/").status_code == 403
    assert office.post(f"/plans/optimiser/{run.pk}/cancel/").status_code == 302
    run.refresh_from_db()
    assert run.status == "cancelled" and runs.optimise_task.call(run.pk) == "cancelled"
    ended = office.get(f"/plans/optimiser/{run.pk}/").content.decode()
    assert "data-poll-url" not in ended and "http-equiv" not in ended
    bad = office.post("/plans/optimiser/", {"horizon": "500"})
    assert bad.status_code == 400 and OptimiserRun.objects.count() == 2
    out = io.StringIO()
    call_command("plan", "optimise", "--jurisdiction", world.district.code, "--as", "office",
                 "--as-of", str(ON), "--time-limit", "10", "--adopt", "--json",
                 stdout=out)  # fmt: skip
    answer = json.loads(out.getvalue())
    assert answer["status"] == "adopted" and answer["projects"]
    # The runs' list: filtered, sorted, exported (the reader's runs only).
    rows = lambda q: office.get(f"/plans/optimiser/?{q}").content.count(b"optimiser-run-row")  # noqa: E731
    assert (rows(""), rows("status=cancelled"), rows("status=adopted&mine=on")) == (3, 1, 1)
    assert rows("q=PK-NV") == 1 and rows(f"jurisdiction={world.district.pk}&sort=-on") == 3
    got = office.get("/plans/optimiser/?export=csv&sort=status").streaming_content
    table = list(csv.reader(io.StringIO(b"".join(got).decode("utf-8-sig"))))
    assert [r[3] for r in table[1:]] == ["Adopted", "Cancelled", "Failed"]
    xlsx = office.get("/plans/optimiser/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    with pytest.raises(CommandError, match="absorption_pct"):
        call_command("plan", "optimise", "--jurisdiction", world.district.code, "--as",
                     "office", "--absorption-pct", "0", stdout=io.StringIO())  # fmt: skip


def _through_the_api(world, office, run, plan):
    """The same proposal through the API: the office updates the 2027 draft (200, one plan);
    finance (no work_plan.edit) 403, the other district's office 404 (the run hidden from it),
    a year outside the horizon and a run not adopted 400 naming the field; nothing written."""
    api = f"/api/v1/plans/from-optimiser/{run.pk}"
    post = lambda who, body, u=api: client_for(world, who).post(  # noqa: E731
        u, body, content_type="application/json")  # fmt: skip
    audits = AuditEntry.objects.filter(action="work_plan.propose_targets").count()
    assert post("finance", {"year": 2027}).status_code == 403
    assert post("outsider_office", {"year": 2027}).status_code == 404
    outside = post("office", {"year": 2031})
    assert outside.status_code == 400 and "year" in outside.json()["errors"]
    done = OptimiserRun.objects.create(jurisdiction=world.district, on=ON, status="done",
                                       created_by=world.user("office"))  # fmt: skip
    unadopted = post("office", {"year": 2027}, f"/api/v1/plans/from-optimiser/{done.pk}")
    assert unadopted.status_code == 400 and "run" in unadopted.json()["errors"]
    assert AuditEntry.objects.filter(action="work_plan.propose_targets").count() == audits
    made = post("office", {"year": 2027})
    assert made.status_code == 200 and made.json()["id"] == plan.pk
    assert made.json()["money_total"] == str(plan.money_total)
    assert WorkPlan.objects.filter(year=2027).count() == 1
