"""Reads of approval requests, chains and delegations, scoped to the caller."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from panhuo.approvals.models import (
    STEP_ROLES,
    ApprovalChain,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    Delegation,
)
from panhuo.core.querying import id_or_missing, narrowed, ordered, search_filter, visible_one
from panhuo.organisation import policy
from panhuo.organisation.models import User

REQUEST_ORDERINGS = {
    "created_at": "created_at",
    "closed_at": "closed_at",
    "amount": "amount",
    "purpose": "purpose",
    "status": "status",
    "object": "object_repr",
}
DELEGATION_ORDERINGS = {
    "from": "from_user__username",
    "to": "to_user__username",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
}
CHAIN_ORDERINGS = {
    "jurisdiction": "jurisdiction__path",
    "purpose": "purpose",
    "channel": "channel",
    "min_amount": "min_amount",
    "name": "name",
    "updated_at": "updated_at",
}


def active_delegations_to(user, when=None) -> list[Delegation]:
    if user is None or not user.is_authenticated:
        return []
    when = when or timezone.now()
    return list(Delegation.objects.active_at(when).filter(to_user=user).select_related("from_user"))


def delegated_scope_q(user) -> Q:
    """The pending requests a delegate may see because a delegator could decide them."""
    q = Q(pk__in=[])
    for d in active_delegations_to(user):
        for g in policy.grants(d.from_user):
            if g.role in STEP_ROLES:
                part = Q(status=ApprovalStatus.PENDING, jurisdiction__path__startswith=g.path)
                if d.purposes:
                    part &= Q(purpose__in=d.purposes)
                q |= part
    return q


def _with_history(qs: QuerySet[ApprovalRequest]) -> QuerySet[ApprovalRequest]:
    return qs.select_related("jurisdiction", "requested_by", "chain").prefetch_related(
        Prefetch(
            "decisions",
            queryset=ApprovalDecision.objects.select_related("actor", "on_behalf_of"),
        )
    )


def get_request_for(user, pk) -> ApprovalRequest:
    pk = id_or_missing(pk, ApprovalRequest)
    return _with_history(ApprovalRequest.objects.visible_to(user).filter(pk=pk)).get()


def request_list(
    user,
    *,
    q: str = "",
    status: str = "",
    purpose: str = "",
    ordering: str = "-created_at",
) -> QuerySet[ApprovalRequest]:
    qs = _with_history(ApprovalRequest.objects.visible_to(user))
    qs = narrowed(qs, q=q, search=("object_repr", "chain_name"), status=status, purpose=purpose)
    return ordered(qs, ordering, REQUEST_ORDERINGS, "-created_at")


def inbox(user, *, purpose: str = "") -> list[ApprovalRequest]:
    """Pending requests whose current step ``user`` may decide now (themselves or as a
    delegate), oldest first; each carries ``on_behalf_of`` (None when in their own right)."""
    from panhuo.approvals.services import decide_check

    qs = request_list(user, status=ApprovalStatus.PENDING, purpose=purpose, ordering="created_at")
    found = []
    delegations = active_delegations_to(user)  # once, not per request
    for r in qs:
        capacity, _reason = decide_check(user, r, delegations=delegations)
        if capacity is not None:
            r.on_behalf_of = capacity.on_behalf_of
            found.append(r)
    return found


def get_chain_for(user, pk) -> ApprovalChain:
    return visible_one(ApprovalChain, user, pk, "jurisdiction", "created_by", prefetch=("steps",))


def chain_list(
    user,
    *,
    q: str = "",
    purpose: str = "",
    jurisdiction: int | None = None,
    ordering: str = "jurisdiction",
) -> QuerySet[ApprovalChain]:
    qs = (
        ApprovalChain.objects.visible_to(user)
        .select_related("jurisdiction")
        .prefetch_related("steps")
    )
    qs = narrowed(qs, q=q, search=("name",), purpose=purpose, jurisdiction_id=jurisdiction)
    return ordered(qs, ordering, CHAIN_ORDERINGS, "jurisdiction")


def get_delegation_for(user, pk) -> Delegation:
    return visible_one(Delegation, user, pk, "from_user", "to_user")


def delegation_list(user, *, q: str = "", mine: bool = False) -> QuerySet[Delegation]:
    qs = Delegation.objects.visible_to(user).select_related("from_user", "to_user")
    if q:
        qs = qs.filter(search_filter(("from_user__username", "to_user__username", "reason"), q))
    if mine:
        qs = qs.filter(Q(from_user=user) | Q(to_user=user))
    return qs.order_by("-starts_at", "-pk")


def request_figures(r: ApprovalRequest) -> dict:
    """The figures the purpose's owner shows beside a request (appraisal, amount, ratio), from
    the ``summary`` hook on its purpose registration; {} when it registered none."""
    from panhuo.approvals.registry import PURPOSES

    purpose = PURPOSES.get(r.purpose)
    if purpose is None or purpose.summary is None:
        return {}
    return purpose.summary(r) or {}


def who_acts(r: ApprovalRequest, step: int | None = None) -> list:
    """The people who may take ``step`` (default: the current one) of a pending request: holders
    of its roles over the request's place, less the requester and those who decided a step."""
    from panhuo.approvals.services.gates import step_roles_now

    step = step or r.current_step
    if r.status != ApprovalStatus.PENDING or not 1 <= step <= r.step_count:
        return []
    ancestors = [int(p) for p in r.jurisdiction.path.strip("/").split("/") if p]
    taken = {r.requested_by_id} | {
        uid for d in r.decisions.all() for uid in (d.actor_id, d.on_behalf_of_id) if uid
    }
    return list(
        User.objects.filter(
            is_active=True,
            assignments__role__in=step_roles_now(r, step),
            assignments__jurisdiction_id__in=ancestors,
            assignments__ended_at__isnull=True,
        )
        .exclude(pk__in=taken)
        .distinct()
        .order_by("username")[:10]
    )
