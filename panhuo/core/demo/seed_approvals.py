"""Demo approvals: the district's chains, a delegation, and requests that match the projects.

Called once from the seeder before the disposals are taken through their states. It configures
the chains first, so every project's approval request (started by ``submit`` through the
disposal guard) follows them:

- disposals: one step, the head or the deputy; from 10 million yuan a second step by the head;
- price exceptions: the same two rules;
- the head delegates to the office while at the provincial debt meeting (disposals only).

A project of 10 million or more needs the deputy's first step before the head's ``approve``, so
the seeder's ``move`` is wrapped to decide that step first, as the deputy would in "My
approvals". After the disposals, a submitted large project (if any) has its first step decided,
so the head's inbox shows a request waiting at step 2. Everything else (pending requests of
submitted projects, approved ones of approved projects, rejected ones of sent-back drafts,
withdrawn ones) follows from the projects themselves.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from panhuo.approvals import services as approvals
from panhuo.core.demo import catalogue as c
from panhuo.disposal.models import DisposalProject, ProjectStatus

LARGE = Decimal("10000000.00")
FIRST_STEP_NOTE = "Package, appraisal and channel checked; for the head's decision."


def seed(seeder) -> None:
    district = seeder.places[c.DISTRICT[0]]
    head, deputy = seeder.users["head"], seeder.users["deputy"]
    for purpose in ("disposal", "price_exception"):
        approvals.chain_set(
            actor=head,
            jurisdiction=district,
            purpose=purpose,
            steps=[["head", "deputy"]],
            name="Head or deputy",
        )
        approvals.chain_set(
            actor=head,
            jurisdiction=district,
            purpose=purpose,
            min_amount=LARGE,
            steps=[["head", "deputy"], ["head"]],
            name="From 10 million yuan: the deputy, then the head",
        )
    now = timezone.now()
    approvals.delegation_set(
        actor=head,
        to_user=seeder.users["office"],
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=14),
        purposes=["disposal"],
        reason="At the provincial debt-resolution meeting",
    )

    move, disposals = seeder.move, seeder.disposals

    def first_steps(project: DisposalProject) -> None:
        request = approvals.pending_for(project, "disposal")
        if request is not None and request.current_step < request.step_count:
            approvals.approval_decide(
                actor=deputy, request=request, approve=True, comment=FIRST_STEP_NOTE
            )

    def move_with_chain(project, transition, actor, **kw):
        if transition == "approve":
            request = approvals.pending_for(project, "disposal")
            if request is not None and request.step_count > 1:
                first_steps(project)
                actor = head  # the last step of a large disposal is the head's
        return move(project, transition, actor, **kw)

    def disposals_then_inbox() -> None:
        disposals()
        large = DisposalProject.objects.filter(
            status=ProjectStatus.SUBMITTED,
            package__jurisdiction=district,
            reserve_price__gte=LARGE,
        ).order_by("code")
        for project in large[:2]:
            first_steps(project)

    seeder.move = move_with_chain
    seeder.disposals = disposals_then_inbox
