"""Writes of scorecards: a plan's weights, issuing a period's scorecards (frozen with their
figures) and the rewards and punishments decided on them. Each checks the policy, runs in one
transaction and is audited; a refused input writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.approvals import services as approvals
from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_update, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import User
from panhuo.planning.models import PlanStatus, WorkPlan
from panhuo.scorecards import workflow
from panhuo.scorecards.approval import PURPOSE
from panhuo.scorecards.compute import as_of, compute_cards, frozen
from panhuo.scorecards.models import (
    PARTS,
    Decision,
    DecisionKind,
    DecisionStatus,
    Period,
    Scorecard,
    ScoreWeights,
)

#: The plans whose scorecards may be issued and weighted: the one in force (approved).
SCORED = (PlanStatus.APPROVED,)


def clean_weights(data: dict) -> dict[str, int]:
    """Five whole percentages from 0 to 100 that add up to 100, or a clear error naming the
    field (or, for the sum, ``weights``)."""
    out: dict[str, int] = {}
    for name in PARTS:
        raw = data.get(name)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= 100:
            raise ValidationError(
                {
                    name: [
                        _("Give a whole percentage from 0 to 100 (not “%(value)s”).")
                        % {"value": raw}
                    ]
                }
            )
        out[name] = value
    total = sum(out.values())
    if total != 100:
        raise ValidationError(
            {
                "weights": [
                    _("The weights add up to %(total)s %%; they must add up to 100 %%.")
                    % {"total": total}
                ]
            }
        )
    return out


def _scored_plan(plan: WorkPlan) -> None:
    if plan.status not in SCORED:
        raise ValidationError(
            {
                "plan": [
                    _("Only the approved plan has scorecards (this one is “%(status)s”).")
                    % {"status": plan.get_status_display()}
                ]
            }
        )


def weights_set(*, actor: User, plan: WorkPlan, data: dict) -> ScoreWeights:
    """Set the plan's weights (the office); the database refuses any that do not add up."""
    policy.require(actor, "scorecard", "weights", jurisdiction=plan.jurisdiction)
    values = clean_weights(data)
    _scored_plan(plan)
    with transaction.atomic():
        row = ScoreWeights.objects.select_for_update().filter(plan=plan).first()
        before = snapshot(row) if row else None
        if row is None:
            row = ScoreWeights(plan=plan, updated_by=actor, **values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_by, row.version = actor, row.version + 1
        row.save()
        audit_update(row, actor=actor, action="scorecard.weights", before=before,
                     jurisdiction_path=plan.jurisdiction.path)  # fmt: skip
    return row


def _period(value: Any) -> str:
    if value not in Period.values:
        raise ValidationError(
            {"period": [_("“%(value)s” is not a period (Q1–Q4 or Y).") % {"value": value}]}
        )
    return value


def scorecards_issue(
    *, actor: User, plan: WorkPlan, period: str, on: dt.date | None = None
) -> list[Scorecard]:
    """Issue the period's scorecards of every unit of the plan's jurisdiction, frozen as of
    ``on`` (today by default; the period's last day if that is earlier): their figures, score,
    rank and tier stay as issued, so that a reward or punishment refers to stable numbers."""
    policy.require(actor, "scorecard", "issue", jurisdiction=plan.jurisdiction)
    period = _period(period)
    _scored_plan(plan)
    on = on or timezone.localdate()
    day = as_of(plan, period, on)
    if day.year < plan.year:
        raise ValidationError(
            {"period": [_("The period has not started on %(day)s.") % {"day": day}]}
        )
    with transaction.atomic():
        WorkPlan.objects.select_for_update().get(pk=plan.pk)
        if Scorecard.objects.filter(plan=plan, period=period).exists():
            raise ValidationError(
                {
                    "period": [
                        _("The scorecards of %(period)s were already issued.")
                        % {"period": Period(period).label}
                    ]
                }
            )
        out = []
        for card in compute_cards(plan, period, on):
            sc = Scorecard.objects.create(
                plan=plan, unit=card.unit, period=period, as_of=card.on, score=card.score,
                tier=card.tier, rank=card.rank, ranked_of=card.ranked_of,
                weights=card.weights, figures=frozen(card), issued_by=actor,
            )  # fmt: skip
            audit_update(sc, actor=actor, action="scorecard.issue", before=None,
                         jurisdiction_path=card.unit.jurisdiction.path)  # fmt: skip
            out.append(sc)
    return out


def _clean_decision(kind: Any, reason: Any, amount: Any) -> tuple[str, str, Decimal | None]:
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": [_("“%(value)s” is not a kind of decision.")
                                        % {"value": kind}]})  # fmt: skip
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the decision.")]})
    if kind != DecisionKind.BUDGET_REWARD:
        if amount not in (None, ""):
            raise ValidationError({"amount": [_("Only a budget reward has an amount.")]})
        return kind, reason, None
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if value <= 0 or value >= Decimal("1e18"):
        raise ValidationError({"amount": [_("A budget reward needs an amount above zero.")]})
    return kind, reason, value


def decision_propose(
    *, actor: User, scorecard: Scorecard, kind: str, reason: str, amount=None
) -> Decision:
    """Propose a reward or punishment on an issued scorecard (the office); it goes to the head
    as an approval request of purpose ``score_decision``."""
    place = scorecard.unit.jurisdiction
    policy.require(actor, "scorecard", "propose", jurisdiction=place)
    kind, reason, amount = _clean_decision(kind, reason, amount)
    with transaction.atomic():
        decision = Decision.objects.create(
            scorecard=scorecard, kind=kind, reason=reason, amount=amount, proposed_by=actor
        )
        approvals.open_request(
            actor=actor, requested_by=actor, obj=decision, purpose=PURPOSE,
            jurisdiction=place, amount=amount, label=str(decision)[:200],
        )  # fmt: skip
        audit_update(decision, actor=actor, action="scorecard.propose", before=None,
                     jurisdiction_path=place.path)  # fmt: skip
    return decision


def decision_decided(*, decision_id: int, approved: bool, actor: User) -> Decision | None:
    """The head's decision, inside the deciding transaction: the one step of the table
    (``workflow.TRANSITIONS``) applied to the reward or punishment, audited."""
    decision = (
        Decision.objects.select_for_update()
        .select_related("scorecard__unit__jurisdiction")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.status != DecisionStatus.PROPOSED:
        return decision
    before = snapshot(decision)
    decision.status = workflow.target_of(decision, "approve" if approved else "reject")
    decision.decided_by, decision.decided_at = actor, timezone.now()
    decision.version += 1
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as exc:  # pragma: no cover (the checks above keep the row valid)
        raise ValidationError({"status": [str(exc)]}) from exc
    audit_update(decision, actor=actor, action=f"scorecard.{'approve' if approved else 'reject'}",
                 before=before,
                 jurisdiction_path=decision.scorecard.unit.jurisdiction.path)  # fmt: skip
    return decision
