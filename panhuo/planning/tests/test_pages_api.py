"""The plan's pages and API: who may read, draft, submit and revise, and what they are told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panhuo.core.tests.api_support import call, client_for
from panhuo.planning import services
from panhuo.planning.models import PlanStatus, WorkPlan
from panhuo.planning.tests.support import plan_data

pytestmark = pytest.mark.django_db

LINES = """money, 1, 100
money, 2, 100
debt\t3\t50\tbank_loan
assets, 2, 3, U1, auction
"""


def _form(w, **changes):
    return {"jurisdiction": w.district.pk, "year": 2026, "money_total": "200",
            "debt_total": "50", "assets_total": "3", "targets": LINES} | changes  # fmt: skip


def test_office_drafts_on_the_page_and_bad_lines_are_named(world):
    w = world
    office = client_for(w, "office")
    bad = _form(w, targets=LINES.replace("U1", "U3"))
    r = office.post(reverse("plan-create"), bad)
    assert r.status_code == 400
    assert "Line 4 (unit)" in r.content.decode()
    r = office.post(reverse("plan-create"), _form(w, money_total="300"))
    assert r.status_code == 400 and "add up to 200.00" in r.content.decode()
    assert not WorkPlan.objects.exists()
    r = office.post(reverse("plan-create"), _form(w))
    plan = WorkPlan.objects.get()
    assert r.status_code == 302 and r["Location"] == plan.get_absolute_url()
    assert plan.targets.count() == 4
    r = office.get(reverse("plan-edit", args=[plan.pk]))
    assert "debt, 3, 50, bank_loan" in r.content.decode()
    # Milestones and tasks are lines too; a bad one is named by its line, nothing written.
    dated = {
        "milestones": "2026-06-30, Half-year review, with the head",
        "tasks": "2026-05-01\toffice\tList the depot\n2026-09-01, finance, Collect, done",
    }
    for field, text, words in (
        ("milestones", "2026-03-01, Fine\n2027-01-01, Late", "Line 2 (due_on)"),
        ("tasks", "2026-05-01, nobody, Sweep", "“nobody” is not a user"),
        ("tasks", "2026-05-01, office", "Line 1 cannot be read"),
    ):
        r = office.post(reverse("plan-edit", args=[plan.pk]), _form(w, **{**dated, field: text}))
        assert r.status_code == 400 and words in r.content.decode(), field
    assert not plan.milestones.exists() and plan.targets.count() == 4
    office.post(reverse("plan-edit", args=[plan.pk]), _form(w, **dated))
    assert [(m.title, str(m.due_on)) for m in plan.milestones.all()] == [
        ("Half-year review, with the head", "2026-06-30")
    ]
    tasks = [(t.title, t.owner.username, t.done) for t in plan.tasks.all()]
    assert tasks == [("List the depot", "office", False), ("Collect", "finance", True)]
    # Editing again keeps them (the form shows them as lines).
    page = office.get(reverse("plan-edit", args=[plan.pk])).content.decode()
    assert "2026-09-01, finance, Collect, done" in page
    assert "List the depot" in office.get(plan.get_absolute_url()).content.decode()
    r = office.post(reverse("plan-submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert client_for(w, "finance").post(reverse("plan-create"), _form(w)).status_code == 403


def test_the_detail_page_shows_each_reader_what_they_may_read(world):
    w = world
    plan = services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=plan_data(w))
    url = reverse("plan-detail", args=[plan.pk])
    page = client_for(w, "auditor").get(url).content.decode()
    assert "Money raised" in page and "Housing bureau" in page and "Urban investment" in page
    assert f'href="{reverse("plan-list")}" aria-current="page"' in page  # the section's nav link
    # A unit asset officer reads their own unit's asset targets only.
    page = client_for(w, "unit_officer").get(url).content.decode()
    assert "Housing bureau" in page and "Urban investment" not in page
    assert "Money raised</td>" not in page
    assert client_for(w, "outsider_head").get(url).status_code == 404
    assert client_for(w, "auditor").post(url).status_code == 405
    listed = client_for(w, "supervisor").get(reverse("plan-list") + "?export=csv")
    text = b"".join(listed.streaming_content).decode("utf-8-sig")
    assert listed.status_code == 200 and "District A" in text
    r = client_for(w, "auditor").post(reverse("plan-submit", args=[plan.pk]))
    assert r.status_code == 403
    # The plans' tasks, listed (the plan's page links to its own) and exported; another
    # place's head sees none of them, and a filter value the form refuses is left out.
    tasks = reverse("plan-task-list")
    assert f"{tasks}?plan={plan.pk}" in client_for(w, "auditor").get(url).content.decode()
    page = client_for(w, "auditor").get(f"{tasks}?plan={plan.pk}&state=open").content.decode()
    assert "List the depot" in page
    assert (
        "List the depot" not in client_for(w, "auditor").get(f"{tasks}?state=done").content.decode()
    )
    mine = client_for(w, "office").get(f"{tasks}?mine=on&plan=x").content.decode()
    assert "List the depot" in mine
    other = client_for(w, "outsider_head").get(tasks)
    assert other.status_code == 200 and "List the depot" not in other.content.decode()
    listed = client_for(w, "auditor").get(f"{tasks}?export=csv")
    assert "List the depot" in b"".join(listed.streaming_content).decode("utf-8-sig")


def test_the_api_drafts_reads_progress_submits_and_revises(world):
    w = world
    body = plan_data(w) | {"jurisdiction": w.district.pk}
    assert call(client_for(w, "finance"), "post", "/api/v1/plans", body).status_code == 403
    r = call(client_for(w, "office"), "post", "/api/v1/plans", body)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    again = call(client_for(w, "office"), "post", "/api/v1/plans", body)
    assert again.status_code == 400 and "year" in again.json()["errors"]
    r = call(client_for(w, "auditor"), "get", f"/api/v1/plans/{pk}?on=2026-06-30")
    lines = r.json()["lines"]
    money = next(ln for ln in lines if ln["measure"] == "money")
    assert (money["target"], money["actual"], money["variance"]) == ("400.00", "0.00", "-400.00")
    assert call(client_for(w, "outsider_auditor"), "get", f"/api/v1/plans/{pk}").status_code == 404
    r = call(client_for(w, "office"), "post", f"/api/v1/plans/{pk}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = call(client_for(w, "office"), "post", f"/api/v1/plans/{pk}/revise")
    assert r.status_code == 400 and "approved plan" in r.content.decode()
