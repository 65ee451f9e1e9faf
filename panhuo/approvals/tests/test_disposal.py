"""The approval chain inside the disposal workflow: submit starts a request, the project's
approve is the last step's decision, send back rejects it, withdraw withdraws it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalRequest, ApprovalStatus
from panhuo.approvals.tests.support import TEN_MILLION, two_step_above_ten_million
from panhuo.core.testing import AssetFactory, approved, concluded_project, decision_documents
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject, ProjectEvent, ProjectStatus
from panhuo.integrity.models import AuditEntry

pytestmark = pytest.mark.django_db


def _submitted(w, reserve="5000000.00", channel="auction"):
    asset = AssetFactory(unit=w.unit)
    package = ds.package_create(
        actor=w.user("office"),
        jurisdiction=w.district,
        name="Lot",
        channel=channel,
        asset_ids=[asset.pk],
    )
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=Decimal(reserve))
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    # What the approval rests on (Decree 738 art. 19), so that the chain alone is judged here.
    return decision_documents(w, p)


def test_submit_starts_a_disposal_request(world):
    p = _submitted(world)
    r = aps.approval_status(p, "disposal")
    assert r.status == ApprovalStatus.PENDING
    assert (r.amount, r.channel, r.jurisdiction, r.requested_by) == (
        Decimal("5000000.00"),
        "auction",
        world.district,
        world.user("office"),
    )
    assert r.target == p and r.object_repr == f"{p.code} Lot"


def test_one_step_default_chain_is_todays_head_or_deputy_approve(world):
    p = _submitted(world)
    audits = AuditEntry.objects.count()
    p = ds.project_transition(actor=world.user("deputy"), project=p, transition="approve")
    # One entry per transition, as before: the project's records the decision's write too.
    assert AuditEntry.objects.count() == audits + 1
    assert p.status == ProjectStatus.APPROVED and p.approved_by == world.user("deputy")
    r = aps.approval_status(p, "disposal")
    assert r.status == ApprovalStatus.APPROVED
    assert list(r.decisions.values_list("step", "actor__username", "outcome")) == [
        (1, "deputy", "approve")
    ]


def test_concluded_project_helper_still_works(world):
    p = concluded_project(world)
    assert p.status == ProjectStatus.CONCLUDED
    assert aps.approval_status(p, "disposal").status == ApprovalStatus.APPROVED


def test_large_project_waits_for_the_first_step_then_the_head_approves(world):
    two_step_above_ten_million(world, purpose="disposal")
    p = _submitted(world, reserve=str(TEN_MILLION + 1))
    events, audits = ProjectEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="step 1 of 2"):
        ds.project_transition(actor=world.user("head"), project=p, transition="approve")
    assert (ProjectEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)
    r = aps.approval_status(p, "disposal")
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True, comment="Fine")
    p.refresh_from_db()
    assert p.status == ProjectStatus.SUBMITTED  # the last step is still open
    with pytest.raises(ValidationError, match="“approve”"):  # deputy2: not a head
        ds.project_transition(actor=world.user("deputy2"), project=p, transition="approve")
    p = approved(world, p)
    assert p.status == ProjectStatus.APPROVED and p.approved_by == world.user("head")
    r.refresh_from_db()
    assert r.status == ApprovalStatus.APPROVED
    assert list(r.decisions.values_list("actor__username", flat=True)) == ["deputy", "head"]


def test_the_last_step_decided_in_the_inbox_approves_the_project(world):
    two_step_above_ten_million(world, purpose="disposal")
    p = _submitted(world, reserve=str(TEN_MILLION))
    r = aps.approval_status(p, "disposal")
    r = aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    r = aps.approval_decide(actor=world.user("head"), request=r, approve=True, comment="Go")
    p.refresh_from_db()
    assert p.status == ProjectStatus.APPROVED and p.approved_by == world.user("head")
    assert p.events.last().comment == "Go"
    assert ProjectEvent.objects.filter(project=p, transition="approve").count() == 1


def test_a_rejection_in_the_inbox_sends_the_project_back(world):
    p = _submitted(world)
    r = aps.approval_status(p, "disposal")
    aps.approval_decide(actor=world.user("head"), request=r, approve=False, comment="Too low")
    p.refresh_from_db()
    assert p.status == ProjectStatus.DRAFT
    assert p.events.last().transition == "reject" and p.events.last().comment == "Too low"
    # Resubmitting starts a new request.
    p = ds.project_transition(actor=world.user("office"), project=p, transition="submit")
    assert aps.approval_status(p, "disposal").pk != r.pk
    assert ApprovalRequest.objects.filter(object_id=p.pk, purpose="disposal").count() == 2


def test_send_back_rejects_the_request(world):
    p = _submitted(world)
    p = ds.project_transition(
        actor=world.user("head"), project=p, transition="reject", comment="Redo the appraisal"
    )
    r = aps.approval_status(p, "disposal")
    assert p.status == ProjectStatus.DRAFT and r.status == ApprovalStatus.REJECTED
    assert r.decisions.get().comment == "Redo the appraisal"


def test_withdrawing_the_project_withdraws_the_request(world):
    p = _submitted(world)
    ds.project_transition(
        actor=world.user("office"), project=p, transition="withdraw", comment="Not now"
    )
    assert aps.approval_status(p, "disposal").status == ApprovalStatus.WITHDRAWN


def test_a_delegate_in_the_inbox_approves_in_the_delegators_name(world):
    two_step_above_ten_million(world, purpose="disposal")
    p = _submitted(world, reserve=str(TEN_MILLION))
    r = aps.approval_status(p, "disposal")
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    now = timezone.now()
    aps.delegation_set(
        actor=world.user("head"),
        to_user=world.user("office2"),
        starts_at=now,
        ends_at=now + dt.timedelta(days=3),
    )
    aps.approval_decide(actor=world.user("office2"), request=r, approve=True, comment="OK")
    p.refresh_from_db()
    assert p.status == ProjectStatus.APPROVED and p.approved_by == world.user("head")
    assert "on behalf of" in p.events.last().comment
    d = r.decisions.get(step=2)
    assert (d.actor.username, d.on_behalf_of.username) == ("office2", "head")


def test_a_project_submitted_before_approvals_existed_gets_a_request_on_approve(world):
    p = _submitted(world)
    ApprovalRequest.objects.filter(object_id=p.pk).delete()
    p = approved(world, p)
    r = aps.approval_status(p, "disposal")
    assert r.status == ApprovalStatus.APPROVED and r.requested_by == world.user("office")


def test_a_refused_approve_writes_nothing(world):
    two_step_above_ten_million(world, purpose="disposal")
    p = _submitted(world, reserve=str(TEN_MILLION))
    r = aps.approval_status(p, "disposal")
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    before = (ProjectEvent.objects.count(), AuditEntry.objects.count(), r.decisions.count())
    # The deputy decided step 1; they cannot decide the last one too (nor may a deputy).
    with pytest.raises(ValidationError, match="already decided"):
        ds.project_transition(actor=world.user("deputy"), project=p, transition="approve")
    assert (ProjectEvent.objects.count(), AuditEntry.objects.count(), r.decisions.count()) == before
    p.refresh_from_db()
    assert p.status == ProjectStatus.SUBMITTED


def test_disposal_chains_only_name_heads_and_deputies(world):
    with pytest.raises(ValidationError, match="cannot decide approvals for “Disposal”"):
        aps.chain_set(
            actor=world.user("head"),
            jurisdiction=world.district,
            purpose="disposal",
            steps=[["finance"]],
        )
    with pytest.raises(PermissionDenied):
        aps.chain_set(
            actor=world.user("finance"),
            jurisdiction=world.district,
            purpose="disposal",
            steps=[["head"]],
        )
    assert not DisposalProject.objects.exists()


def test_the_project_page_says_why_approve_waits(world):
    from django.test import Client

    two_step_above_ten_million(world, purpose="disposal")
    p = _submitted(world, reserve=str(TEN_MILLION))
    client = Client()
    client.force_login(world.user("head"))
    html = client.get(p.get_absolute_url()).content.decode()
    assert "step 1 of 2" in html and "disabled" in html
    r = aps.approval_status(p, "disposal")
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    html = client.get(p.get_absolute_url()).content.decode()
    assert "step 1 of 2" not in html
    client.force_login(world.user("deputy2"))  # step 2 is the head's
    html = client.get(p.get_absolute_url()).content.decode()
    assert "Step 2 needs one of these roles here" in html
