"""The demo's approvals: chains, a delegation, and requests that match the projects."""

import pytest
from django.test import Client

from panhuo.approvals.models import ApprovalChain, ApprovalRequest, ApprovalStatus, Delegation
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.integrity.services import audit_verify
from panhuo.site.demo import catalogue as c

pytestmark = pytest.mark.django_db

EXPECTED = {
    ProjectStatus.SUBMITTED: ApprovalStatus.PENDING,
    ProjectStatus.APPROVED: ApprovalStatus.APPROVED,
    ProjectStatus.LISTED: ApprovalStatus.APPROVED,
    ProjectStatus.CONCLUDED: ApprovalStatus.APPROVED,
    ProjectStatus.CLOSED: ApprovalStatus.APPROVED,
}


def test_demo_requests_follow_the_projects(small_demo):
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
    _the_gates_show_in_the_demo()


def _the_gates_show_in_the_demo():
    """The price exception that passed did so on the head's written approval, whose number and
    SHA-256 show on its project; the pending one waits for its approval document; the chains
    of the reported abuses are refused."""
    from panhuo.approvals.services import gates
    from panhuo.integrity.document_models import Document
    from panhuo.organisation.models import User
    from panhuo.site.demo import seed_gates_approvals

    exceptions = ApprovalRequest.objects.filter(purpose="price_exception")
    approved = exceptions.get(status=ApprovalStatus.APPROVED)
    assert gates.approved_by_least_authority(approved)
    assert approved.decisions.order_by("step").last().actor.username == "head"
    # The written approval put on the project for this request (the disposal's own approval
    # document, from before, is there too).
    doc = Document.objects.get(
        target_id=approved.object_id, kind="approval", number__gt="",
        uploaded_at__gte=approved.created_at,
    )  # fmt: skip
    client = Client()
    client.force_login(User.objects.get(username="head"))
    page = client.get(approved.target.get_absolute_url()).content.decode()
    assert doc.number in page and doc.sha256 in page
    pending = exceptions.get(status=ApprovalStatus.PENDING)
    assert gates.missing_documents(pending) == ["approval"]
    inbox = client.get("/approvals/").content.decode()
    assert 'data-testid="inbox-ratio"' in inbox and "Documents missing before approval" in inbox

    class Seeder:  # the seeder's two attributes the module reads
        places = {c.DISTRICT[0]: approved.jurisdiction}
        users = {"head": User.objects.get(username="head")}  # no deputy: nothing to check
        say = staticmethod(lambda _m: None)

    codes = seed_gates_approvals.seed(Seeder())
    assert codes == ["price_exception_authority", "approval_chain_deadlock"]
