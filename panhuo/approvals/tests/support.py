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
from panhuo.core.testing import AssetFactory

TEN_MILLION = Decimal("10000000.00")


def target(w):
    """Any model instance can be approved; an asset of district A will do."""
    return AssetFactory(unit=w.unit)


def ask(w, obj=None, *, who="office", purpose="price_exception", amount="100.00", channel=""):
    return aps.approval_request(
        actor=w.user(who),
        obj=obj or target(w),
        purpose=purpose,
        amount=Decimal(amount) if amount is not None else None,
        channel=channel,
        jurisdiction=w.district,
        reason="Sold below the appraisal",
    )


def two_step_above_ten_million(w, purpose="price_exception", jurisdiction=None):
    """The demo's rule: one step head-or-deputy; from 10 million the head decides a second."""
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
        steps=[["head", "deputy"], ["head"]],
        name="Large: then the head",
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
