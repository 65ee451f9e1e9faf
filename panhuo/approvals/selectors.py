"""Reads of approval requests, chains and delegations, scoped to the caller."""

from __future__ import annotations

import json
from typing import NamedTuple

from django.db import connection
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
from panhuo.organisation.models import Jurisdiction, User

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


def delegated_scope_q(user, delegations: list[Delegation] | None = None) -> Q:
    """The pending requests a delegate may see because a delegator could decide them
    (``delegations``: the caller's active ones, when already read)."""
    q = Q(pk__in=[])
    if delegations is None:
        delegations = active_delegations_to(user)
    for d in delegations:
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
    delegations: list[Delegation] | None = None,
) -> QuerySet[ApprovalRequest]:
    qs = _with_history(ApprovalRequest.objects.visible_to(user, delegations=delegations))
    qs = narrowed(qs, q=q, search=("object_repr", "chain_name"), status=status, purpose=purpose)
    return ordered(qs, ordering, REQUEST_ORDERINGS, "-created_at")


def inbox(user, *, purpose: str = "") -> list[ApprovalRequest]:
    """Pending requests whose current step ``user`` may decide now (themselves or as a
    delegate), oldest first; each carries ``on_behalf_of`` (None when in their own right)."""
    from panhuo.approvals.services import decide_check

    delegations = active_delegations_to(user)  # once: for the scope and for each request
    qs = request_list(
        user,
        status=ApprovalStatus.PENDING,
        purpose=purpose,
        ordering="created_at",
        delegations=delegations,
    )
    found = []
    for r in qs:
        capacity, _reason = decide_check(user, r, delegations=delegations)
        if capacity is not None:
            r.on_behalf_of = capacity.on_behalf_of
            found.append(r)
    return found


def inbox_count(user, *, delegations: list[Delegation] | None = None) -> int:
    """``len(inbox(user))`` without building the requests (the menu's badge, read on every
    page): ``decide_check``'s rules on the pending requests' stored values.

    SQL keeps the pending requests under a place where the caller or one of their delegators
    holds a step role (each such request is in the caller's view: the step roles read
    approvals, and a delegate sees what the delegator could decide), less those the caller
    asked for or already decided a step of. Python then checks each one's current step
    (``gates.roles_at``, the copied roles narrowed to the least authority at the last step) with
    ``policy.allowed``, and for a delegate the delegation's purposes and the delegator's own
    part in the request, in ``decide_check``'s order. The delegations are read only when the
    caller has one (most have none), the decisions only for the requests a delegation may
    reach. Raw statements, as ``policy.grants``: compiling the ORM's queries cost more than
    running them, on every page. A test holds the count equal to ``len(inbox(...))``.
    """
    from panhuo.approvals.services.gates import roles_at

    if user is None or not user.is_authenticated:
        return 0
    now = timezone.now()
    if delegations is None:
        delegations = active_delegations_to(user, now) if _delegated_to(user, now) else []
    deciding = policy.RULES[("approval", "decide")]
    paths = {g.path for g in policy.grants(user) if g.role in deciding}
    for d in delegations:
        paths |= {g.path for g in policy.grants(d.from_user) if g.role in deciding}
    if not paths:
        return 0

    def may_decide(who, path: str, roles: list[str]) -> bool:
        place = _Place(path)
        return policy.allowed(who, "approval", "decide", jurisdiction=place, roles_subset=roles)

    count = 0
    through_delegation = []
    for pk, purpose, channel, steps, step, requester, path in _pending_under(user, sorted(paths)):
        roles = roles_at(steps, step, purpose, channel)
        if may_decide(user, path, roles):
            count += 1
        elif delegations:
            through_delegation.append((pk, purpose, requester, path, roles))
    if not through_delegation:
        return count
    earlier: dict[int, set[int]] = {}
    for request_id, actor_id, behalf_id in ApprovalDecision.objects.filter(
        request_id__in=[row[0] for row in through_delegation]
    ).values_list("request_id", "actor_id", "on_behalf_of_id"):
        earlier.setdefault(request_id, set()).update(u for u in (actor_id, behalf_id) if u)
    for pk, purpose, requester, path, roles in through_delegation:
        taken = earlier.get(pk, set())
        for d in delegations:
            if not d.covers(purpose, now) or d.from_user_id == requester or d.from_user_id in taken:
                continue
            if d.from_user.is_active and may_decide(d.from_user, path, roles):
                count += 1
                break
    return count


class _Place(NamedTuple):
    """A request's place as ``policy.allowed`` reads it (its path only): the count reads
    paths, not Jurisdiction rows, and builds no model of another app."""

    path: str


_REQUESTS = ApprovalRequest._meta.db_table
_DECISIONS = ApprovalDecision._meta.db_table
_DELEGATIONS = Delegation._meta.db_table
_PLACES = Jurisdiction._meta.db_table


def _delegated_to(user, now) -> bool:
    """Whether ``user`` holds a delegation active at ``now`` (``active_delegations_to``'s rows)."""
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {_DELEGATIONS} WHERE to_user_id = %s AND revoked_at IS NULL "  # noqa: S608 (our tables)
            "AND starts_at <= %s AND ends_at > %s",
            [user.pk, at, at],
        )
        return cursor.fetchone() is not None


def _pending_under(user, paths: list[str]) -> list[tuple]:
    """The pending requests under ``paths`` that ``user`` neither asked for nor decided a step
    of: id, purpose, channel, steps, current step, requester, place's path."""
    under = " OR ".join(["j.path LIKE %s"] * len(paths))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.purpose, r.channel, r.steps, r.current_step, r.requested_by_id, "  # noqa: S608 (our tables; the paths are parameters)
            f"j.path FROM {_REQUESTS} r JOIN {_PLACES} j ON j.id = r.jurisdiction_id "
            f"WHERE r.status = %s AND ({under}) "
            "AND (r.requested_by_id IS NULL OR r.requested_by_id <> %s) "
            f"AND NOT EXISTS (SELECT 1 FROM {_DECISIONS} d WHERE d.request_id = r.id "
            "AND (d.actor_id = %s OR d.on_behalf_of_id = %s))",
            [ApprovalStatus.PENDING.value, *(p + "%" for p in paths), user.pk, user.pk, user.pk],
        )
        rows = cursor.fetchall()
    return [(*row[:3], json.loads(row[3]) if isinstance(row[3], str) else row[3], *row[4:])
            for row in rows]  # fmt: skip


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
