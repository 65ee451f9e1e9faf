"""Demo: the district's scorecards of the year, issued by the office as of the seed's day
(after the red flags are raised, so that compliance counts them), with one reward and one
criticism decided by the head: a budget reward for the unit ranked first, a notice of
criticism for the unit ranked last. All through the services and the approvals engine, so the
audit trail is the real one; the figures are computed from the seeded records, never typed."""

from __future__ import annotations

from decimal import Decimal

from panhuo.approvals import services as approvals
from panhuo.planning.models import PlanStatus, WorkPlan
from panhuo.scorecards.approval import PURPOSE
from panhuo.scorecards.models import DecisionKind, Period
from panhuo.scorecards.services import decision_propose, scorecards_issue
from panhuo.site.demo import catalogue as c


def seed(seeder) -> None:
    district = seeder.places[c.DISTRICT[0]]
    office, head = seeder.users["office"], seeder.users["head"]
    plan = WorkPlan.objects.filter(jurisdiction=district, status=PlanStatus.APPROVED).first()
    if plan is None:
        return
    issued = sorted(
        scorecards_issue(actor=office, plan=plan, period=Period.YEAR, on=seeder.today),
        key=lambda sc: sc.rank,
    )
    if not issued:
        return
    best, worst = issued[0], issued[-1]
    decisions = [
        decision_propose(
            actor=office, scorecard=best, kind=DecisionKind.BUDGET_REWARD,
            amount=Decimal("200000.00"),
            reason="年度考核排名第一，给予预算奖励 (ranked first of the year: a budget reward)",
        ),
        decision_propose(
            actor=office, scorecard=worst, kind=DecisionKind.CRITICISM,
            reason="年度考核排名末位，予以通报批评 (ranked last of the year: a criticism)",
        ),
    ]  # fmt: skip
    for decision in decisions:
        request = approvals.pending_for(decision, PURPOSE)
        approvals.approval_decide(actor=head, request=request, approve=True,
                                  comment="同意 Approved.")  # fmt: skip
