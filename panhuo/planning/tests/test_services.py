"""Drafting, submitting, approving and revising work plans; bad input refused whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from panhuo.approvals import services as approvals
from panhuo.core.errors import ValidationError
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted
from panhuo.planning import services
from panhuo.planning.models import PlanStatus, PlanTarget, WorkPlan
from panhuo.planning.tests.support import plan_data

pytestmark = pytest.mark.django_db


def _approve(w, plan, who="head"):
    request = approvals.pending_for(plan, "work_plan")
    approvals.approval_decide(actor=w.user(who), request=request, approve=True)
    plan.refresh_from_db()
    return plan


def _approved_plan(w):
    plan = services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=plan_data(w))
    plan = services.plan_submit(actor=w.user("office"), plan=plan)
    return _approve(w, plan)


def test_draft_submit_approve_with_the_audit_trail(world):
    w = world
    plan = _approved_plan(w)
    assert plan.status == PlanStatus.APPROVED
    assert plan.targets.count() == 10 and plan.milestones.count() == 1 and plan.tasks.count() == 1
    actions = list(
        AuditEntry.objects.filter(action__startswith="work_plan.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["work_plan.draft", "work_plan.submit", "work_plan.approve"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"money_total": "401"}, "targets", "add up to 400.00, not the plan's annual total 401"),
        ({"assets_total": 6}, "targets", "add up to 5.00"),
        ({"year": 1999}, "year", "from 2000"),
        ({"assets_total": "1.5"}, "assets_total", "whole numbers"),
    ],
)
def test_totals_that_do_not_add_up_are_refused_and_nothing_is_written(world, change, field, words):
    w = world
    with pytest.raises(ValidationError) as err:
        services.plan_draft(
            actor=w.user("office"), jurisdiction=w.district, data=plan_data(w, **change)
        )
    assert words in " ".join(err.value.message_dict[field])
    assert not WorkPlan.objects.exists() and not PlanTarget.objects.exists()


def test_refusals_are_in_the_callers_language(world):
    """A Chinese user reads the refusal in Chinese, the figures in it as given."""
    w = world
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        services.plan_draft(
            actor=w.user("office"), jurisdiction=w.district, data=plan_data(w, money_total="401")
        )
    (message,) = err.value.message_dict["targets"]
    assert "与计划年度总额401.00不符" in message or "与计划年度总额401不符" in message, message


def test_bad_rows_are_named(world):
    w = world
    data = plan_data(w)
    data["targets"][8]["unit"] = w.other_unit.pk  # a unit of another district
    with pytest.raises(ValidationError) as err:
        services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=data)
    assert "targets[8].unit" in err.value.message_dict
    data = plan_data(w)
    data["tasks"][0]["owner"] = w.user("outsider_office").pk
    with pytest.raises(ValidationError) as err:
        services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=data)
    assert "tasks[0].owner" in err.value.message_dict
    assert not WorkPlan.objects.exists()


def test_a_year_already_approved_is_refused_and_the_database_holds_one(world):
    w = world
    plan = _approved_plan(w)
    with pytest.raises(ValidationError) as err:
        services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=plan_data(w))
    assert "already has an approved plan" in err.value.message_dict["year"][0]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        WorkPlan.objects.create(
            jurisdiction=w.district, year=plan.year, number=9, status=PlanStatus.APPROVED,
            money_total=0, debt_total=0, assets_total=0, created_by=w.user("office"),
        )  # fmt: skip


def test_the_submitter_cannot_approve_and_roles_are_checked(world):
    w = world
    with pytest.raises(NotPermitted):
        services.plan_draft(actor=w.user("finance"), jurisdiction=w.district, data=plan_data(w))
    with pytest.raises(NotPermitted):
        services.plan_draft(
            actor=w.user("outsider_office"), jurisdiction=w.district, data=plan_data(w)
        )
    plan = services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=plan_data(w))
    plan = services.plan_submit(actor=w.user("office"), plan=plan)
    request = approvals.pending_for(plan, "work_plan")
    capacity, why = approvals.decide_check(w.user("office"), request)
    assert capacity is None and "requester" in why
    capacity, why = approvals.decide_check(w.user("office2"), request)
    assert capacity is None


def test_a_returned_plan_is_edited_and_submitted_again(world):
    w = world
    plan = services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=plan_data(w))
    plan = services.plan_submit(actor=w.user("office"), plan=plan)
    request = approvals.pending_for(plan, "work_plan")
    approvals.approval_decide(actor=w.user("deputy"), request=request, approve=False,
                              comment="Too low")  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    data = plan_data(w, money_total="800")
    for t in data["targets"][:4]:
        t["amount"] = "200"
    plan = services.plan_update(actor=w.user("office"), plan=plan, data=data)
    assert plan.money_total == Decimal("800.00")
    plan = services.plan_submit(actor=w.user("office"), plan=plan)
    assert _approve(w, plan).status == PlanStatus.APPROVED
    with pytest.raises(ValidationError):
        services.plan_update(actor=w.user("office"), plan=plan, data=data)


def test_a_revision_keeps_the_previous_version_until_it_is_approved(world):
    w = world
    first = _approved_plan(w)
    second = services.plan_revise(actor=w.user("office"), plan=first)
    assert (second.number, second.status, second.previous_id) == (2, PlanStatus.DRAFT, first.pk)
    assert second.targets.count() == first.targets.count()
    first.refresh_from_db()
    assert first.status == PlanStatus.APPROVED
    with pytest.raises(ValidationError):
        services.plan_revise(actor=w.user("office"), plan=first)
    second = _approve(w, services.plan_submit(actor=w.user("office"), plan=second), "deputy")
    first.refresh_from_db()
    assert (first.status, second.status) == (PlanStatus.SUPERSEDED, PlanStatus.APPROVED)


def test_a_task_is_ticked_by_its_owner_or_the_office_and_superseded_ones_stay(world):
    w = world
    data = plan_data(w)
    data["tasks"][0]["owner"] = w.user("finance").pk
    plan = services.plan_draft(actor=w.user("office"), jurisdiction=w.district, data=data)
    task = plan.tasks.get()
    assert services.task_set_done(actor=w.user("finance"), task=task, done=True).done
    with pytest.raises(NotPermitted):
        services.task_set_done(actor=w.user("head"), task=task, done=False)
    assert not services.task_set_done(actor=w.user("office2"), task=task, done=False).done
    plan = _approve(w, services.plan_submit(actor=w.user("office"), plan=plan))
    revision = services.plan_revise(actor=w.user("office"), plan=plan)
    _approve(w, services.plan_submit(actor=w.user("office"), plan=revision))
    with pytest.raises(ValidationError) as err:
        services.task_set_done(actor=w.user("finance"), task=task, done=True)
    assert "superseded" in err.value.message_dict["done"][0]
    assert AuditEntry.objects.filter(action="work_plan.task_done").count() == 2
