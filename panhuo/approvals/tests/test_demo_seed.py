"""The demo's approvals: chains, a delegation, and requests that match the projects."""

import pytest

from panhuo.approvals.models import ApprovalChain, ApprovalRequest, ApprovalStatus, Delegation
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.integrity.services import audit_verify
from panhuo.site.demo.seed import SMALL, seed_demo

pytestmark = pytest.mark.django_db

EXPECTED = {
    ProjectStatus.SUBMITTED: ApprovalStatus.PENDING,
    ProjectStatus.APPROVED: ApprovalStatus.APPROVED,
    ProjectStatus.LISTED: ApprovalStatus.APPROVED,
    ProjectStatus.CONCLUDED: ApprovalStatus.APPROVED,
    ProjectStatus.CLOSED: ApprovalStatus.APPROVED,
}


def test_demo_requests_follow_the_projects():
    seed_demo(size=SMALL)
    assert ApprovalChain.objects.filter(min_amount=10_000_000, purpose="disposal").exists()
    d = Delegation.objects.get()
    assert (d.from_user.username, d.to_user.username, d.purposes) == (
        "head",
        "office",
        ["disposal"],
    )
    for p in DisposalProject.objects.all():
        requests = ApprovalRequest.objects.filter(object_id=p.pk, purpose="disposal")
        latest = requests.order_by("-created_at", "-pk").first()
        if p.status in EXPECTED:
            assert latest.status == EXPECTED[p.status], p
            # The reserve approved; a relisting may lower it since (the pricing rules see to it).
            assert latest.amount >= p.reserve_price
            if latest.status == ApprovalStatus.APPROVED:
                deciders = list(latest.decisions.values_list("actor__username", flat=True))
                assert len(deciders) == latest.step_count
                assert deciders[-1] == p.approved_by.username
        elif p.status == ProjectStatus.DRAFT:
            assert latest is None or latest.status == ApprovalStatus.REJECTED
        for r in requests:
            expected_steps = 2 if r.amount >= 10_000_000 else 1
            assert r.step_count == expected_steps
    assert audit_verify().ok
