"""Demo of the approval gates (issue 12 item 5), seeded last so earlier random draws stay.

- The two chains of the reported abuses are offered to the engine and refused, each with its
  rule, article and way through (printed while seeding; nothing is stored, as with any
  refusal): "head or deputy" for price exceptions (the head's written approval is needed) and
  "deputy or head, then head" for large disposals (the head taking step one would deadlock it).
- The pending price exception's first step is the deputy's check; it then waits for the head.
- The task force's collective decision minutes on the relisted project, with their number.
- The price exception approved in ``seed_approvals`` passed on the head's written approval,
  whose document number and SHA-256 show on its project; the one still pending waits in the
  head's inbox with its appraisal, amount and ratio, and says that the approval document is
  missing before it can be approved.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from panhuo.approvals import services as approvals
from panhuo.approvals.models import ApprovalRequest, ApprovalStatus
from panhuo.integrity.document_services import document_upload
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.refusals import refused
from panhuo.site.demo.seed_documents import minimal_pdf

#: The chains the reported abuses came from: (purpose, steps, threshold, what went wrong).
REFUSED_CHAINS = (
    ("price_exception", [["head", "deputy"]], Decimal("0"), "a deputy alone approved 50 %"),
    ("disposal", [["deputy", "head"], ["head"]], Decimal("50000000"), "deadlocked for good"),
)


def seed(seeder) -> list[str]:
    """Offer the refused chains; return the refusals' rule codes (for the demo's tests)."""
    district = seeder.places[c.DISTRICT[0]]
    _to_the_head(seeder, district)
    _minutes(seeder, district)
    codes = []
    for purpose, steps, threshold, story in REFUSED_CHAINS:
        offer = partial(
            approvals.chain_set,
            actor=seeder.users["head"],
            jurisdiction=district,
            purpose=purpose,
            steps=steps,
            min_amount=threshold,
            name=f"Refused: {story}",
        )
        codes.append(refused(seeder, offer, f"Chain refused ({story})"))
    return codes


def _to_the_head(seeder, district) -> None:
    """The deputy checks the pending price exceptions at their first step, so they wait in the
    head's inbox at the last one (appraisal, amount, ratio; the approval document missing)."""
    deputy = seeder.users.get("deputy")
    pending = ApprovalRequest.objects.filter(
        purpose="price_exception", status=ApprovalStatus.PENDING, jurisdiction=district
    ).order_by("pk")
    for request in pending:
        if request.current_step < request.step_count and deputy is not None:
            capacity, _why = approvals.decide_check(deputy, request)
            if capacity is not None:
                approvals.approval_decide(
                    actor=deputy,
                    request=request,
                    approve=True,
                    comment="Market evidence checked; for the head's written approval.",
                )


def _minutes(seeder, district) -> None:
    """The task force's meeting that agreed the relisting below the floor: its collective
    decision minutes (集体决策会议纪要), with their number, beside the head's written approval."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    office = seeder.users.get("office")
    approved = (
        ApprovalRequest.objects.filter(
            purpose="price_exception", status=ApprovalStatus.APPROVED, jurisdiction=district
        )
        .order_by("pk")
        .first()
    )
    if approved is None or office is None:
        return
    number = f"Qinghe Task Force Minutes [2026] No. {approved.object_id:03d}"
    document_upload(
        actor=office,
        target=approved.target,
        kind="collective_decision",
        title="Task-force meeting: relisting below the approval floor",
        number=number,
        file=SimpleUploadedFile(
            f"minutes-{approved.object_id}.pdf",
            minimal_pdf([number, approved.object_repr, "Agreed: relist below the floor."]),
        ),
    )
