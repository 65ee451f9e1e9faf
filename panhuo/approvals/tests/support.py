"""What the approval tests share: a target object, chains, a fingerprint of approval data."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from panhuo.approvals import services as aps
from panhuo.approvals.models import (
    ApprovalChain,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    Delegation,
)
from panhuo.approvals.registry import register_purpose
from panhuo.core.testing import AssetFactory

#: The engine's tests decide a purpose that names no least authority (the law's purposes, such
#: as disposal's price exception, are tested where they are configured).
register_purpose("review", "Review")

TEN_MILLION = Decimal("10000000.00")


def target(w):
    """Any model instance can be approved; an asset of district A will do."""
    return AssetFactory(unit=w.unit)


def ask(w, obj=None, *, who="office", purpose="review", amount="100.00", channel=""):
    return aps.approval_request(
        actor=w.user(who),
        obj=obj or target(w),
        purpose=purpose,
        amount=Decimal(amount) if amount is not None else None,
        channel=channel,
        jurisdiction=w.district,
        reason="Sold below the appraisal",
    )


def two_step_above_ten_million(w, purpose="review", jurisdiction=None):
    """One step head-or-deputy; from 10 million a second step by the head or the finance
    officer (not the head alone: a head who took step one would leave it to nobody)."""
    j = jurisdiction or w.district
    aps.chain_set(
        actor=w.user("head"),
        jurisdiction=j,
        purpose=purpose,
        steps=[["head", "deputy"]],
        name="Head or deputy",
    )
    return aps.chain_set(
        actor=w.user("head"),
        jurisdiction=j,
        purpose=purpose,
        min_amount=TEN_MILLION,
        # A disposal's deciders are the head and deputies only: a deputy, then the head.
        steps=[["deputy"], ["head"]]
        if purpose == "disposal"
        else [["head", "deputy"], ["head", "finance"]],
        name="Large: then the head or finance",
    )


def approval_fingerprint() -> dict:
    state = {
        m._meta.label: m.objects.count()
        for m in (ApprovalChain, ApprovalStep, ApprovalRequest, ApprovalDecision, Delegation)
    }
    state["request_versions"] = ApprovalRequest.objects.aggregate(s=Sum("version"))["s"]
    state["chain_versions"] = ApprovalChain.objects.aggregate(s=Sum("version"))["s"]
    state["statuses"] = sorted(ApprovalRequest.objects.values_list("pk", "status", "current_step"))
    state["revoked"] = sorted(
        Delegation.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True)
    )
    return state


def legacy_chain(w, steps, *, purpose="review", min_amount=TEN_MILLION, name="Legacy"):
    """A chain saved before the gates (rows written directly, as an old database holds them):
    what the decision-time gates must still hold."""
    chain = ApprovalChain.objects.create(
        jurisdiction=w.district,
        purpose=purpose,
        min_amount=min_amount,
        name=name,
        created_by=w.user("head"),
    )
    for i, roles in enumerate(steps, start=1):
        ApprovalStep.objects.create(chain=chain, position=i, roles=list(roles))
    return chain
