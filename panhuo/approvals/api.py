"""API: approval requests (the inbox, decisions), chain configuration, delegations."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.approvals import services
from panhuo.approvals.models import ApprovalChain
from panhuo.approvals.schemas import (
    ChainFilters,
    ChainIn,
    ChainOut,
    DecisionIn,
    DelegationFilters,
    DelegationIn,
    DelegationOut,
    RequestDetailOut,
    RequestFilters,
    RequestOut,
    WithdrawIn,
)
from panhuo.approvals.selectors import (
    chain_list,
    delegation_list,
    get_chain_for,
    get_delegation_for,
    get_request_for,
    inbox,
    request_figures,
    request_list,
    who_acts,
)
from panhuo.approvals.services.gates import missing_documents
from panhuo.core.api import (
    PagePagination,
    actor,
    referenced,
    referenced_jurisdiction,
    require_any,
)
from panhuo.core.api_lists import detail_endpoint, list_endpoint
from panhuo.core.schemas import CONFLICT_ERRORS as ERRORS
from panhuo.core.schemas import Id
from panhuo.organisation import policy
from panhuo.organisation.models import User

router = Router(tags=["approvals"])


def _detail(user, request_id):
    r = get_request_for(user, request_id)
    capacity, why = services.decide_check(user, r)
    r.can_decide = capacity is not None
    r.decide_as = capacity.on_behalf_of.pk if capacity and capacity.on_behalf_of else None
    r.why_not = why
    r.acting = [u.get_username() for u in who_acts(r)]
    r.documents_missing = missing_documents(r) if r.status == "pending" else []
    figures = request_figures(r)
    r.appraisal = figures.get("appraisal")
    r.ratio_pct = figures.get("ratio_pct")
    return r


@router.get("/approvals", response={200: list[RequestOut], **ERRORS})
@paginate(PagePagination)
def approval_index(request: HttpRequest, filters: Query[RequestFilters]):
    """Requests the caller may see; ``mine=true`` gives the inbox: pending requests whose
    current step the caller may decide now (in their own right or as a delegate)."""
    require_any(request, "approval", "view")
    user = actor(request)
    data = filters.selector_kwargs()
    if data.pop("mine"):
        return inbox(user, purpose=data["purpose"])
    return request_list(user, **data)


detail_endpoint(
    router, "/approvals/{request_id}", RequestDetailOut, "approval", _detail,
    doc="A request with its steps, its decisions so far and whether the caller may decide.",
    errors=ERRORS,
)  # fmt: skip


@router.post("/approvals/{request_id}/decision", response={200: RequestDetailOut, **ERRORS})
def approval_decision(request: HttpRequest, request_id: Id, payload: DecisionIn):
    """Approve or reject the current step (a rejection needs a comment)."""
    require_any(request, "approval", "decide")
    user = actor(request)
    r = get_request_for(user, request_id)
    services.approval_decide(actor=user, request=r, **payload.dict())
    return _detail(user, r.pk)


@router.post("/approvals/{request_id}/withdraw", response={200: RequestDetailOut, **ERRORS})
def approval_withdraw(request: HttpRequest, request_id: Id, payload: WithdrawIn):
    """The requester (or the task force) takes a pending request back."""
    require_any(request, "approval", "view")
    user = actor(request)
    r = get_request_for(user, request_id)
    services.approval_withdraw(actor=user, request=r, reason=payload.reason)
    return _detail(user, r.pk)


list_endpoint(
    router,
    "/approval-chains",
    ChainOut,
    ChainFilters,
    "approval_chain",
    chain_list,
    doc="Chains configured in the caller's jurisdictions (where none applies: one step, the\n"
    "    head or a deputy).",
    errors=ERRORS,
)


def _chain_place(user, pk):
    """A jurisdiction where the caller may set approval chains."""
    return policy.jurisdictions_for(user, "approval_chain", "set").get(pk=pk)


@router.post("/approval-chains", response={200: ChainOut, 201: ChainOut, **ERRORS})
def approval_chain_set(request: HttpRequest, payload: ChainIn):
    """Create a chain (201) or replace the steps of the one with the same key (200)."""
    require_any(request, "approval_chain", "set")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, payload.jurisdiction, _chain_place)
    # A chain's key: purpose, channel and threshold (as given; the default threshold is text).
    key = {"purpose": payload.purpose, "channel": payload.channel, "min_amount": payload.min_amount}
    exists = ApprovalChain.objects.filter(jurisdiction=jurisdiction, **key).exists()
    chain = services.chain_set(
        actor=user, jurisdiction=jurisdiction, name=payload.name, steps=payload.steps, **key
    )
    return Status(200 if exists else 201, get_chain_for(user, chain.pk))


@router.delete("/approval-chains/{chain_id}", response={204: None, **ERRORS})
def approval_chain_delete(request: HttpRequest, chain_id: Id):
    """Remove a chain; requests under way keep their steps."""
    require_any(request, "approval_chain", "set")
    user = actor(request)
    services.chain_delete(actor=user, chain=get_chain_for(user, chain_id))
    return Status(204, None)


list_endpoint(
    router,
    "/delegations",
    DelegationOut,
    DelegationFilters,
    "approval",
    delegation_list,
    name="delegation_index",
    errors=ERRORS,
    doc="Delegations given or received by the caller (and, for readers, their jurisdictions').",
)


@router.post("/delegations", response={201: DelegationOut, **ERRORS})
def delegation_new(request: HttpRequest, payload: DelegationIn):
    """While away, let someone decide one's approval steps (for oneself only)."""
    require_any(request, "delegation", "set")
    user = actor(request)
    to_user = referenced(
        "to_user",
        "user",
        lambda _u, name: User.objects.get(username=name, is_active=True),
        user,
        payload.to_user,
    )
    d = services.delegation_set(actor=user, to_user=to_user, **payload.dict(exclude={"to_user"}))
    return Status(201, get_delegation_for(user, d.pk))


@router.post("/delegations/{delegation_id}/revoke", response={200: DelegationOut, **ERRORS})
def delegation_revoke(request: HttpRequest, delegation_id: Id):
    """End one's delegation now."""
    require_any(request, "delegation", "set")
    user = actor(request)
    d = get_delegation_for(user, delegation_id)
    services.delegation_revoke(actor=user, delegation=d)
    return get_delegation_for(user, d.pk)
