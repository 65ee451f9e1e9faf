"""Bidders endpoints of the JSON API: public self-registration (throttled per address, as
sign-in is), the bidder's own registration and declared relations (``/bidders/me``), and the
office's list, record and decisions (scoped to its places: another place's bidder is a 404)."""

from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.bidders import services, throttle
from panhuo.bidders.schemas import (
    BidderDetailsPatch,
    BidderFilters,
    BidderOut,
    BidderRelationIn,
    BidderRelationOut,
    BidderSignUpIn,
    BidderTransitionIn,
)
from panhuo.bidders.selectors import bidder_for, bidder_list, get_bidder_for, get_own_relation
from panhuo.core.api import PagePagination, actor, require_any, selector_filters
from panhuo.core.api_lists import detail_endpoint
from panhuo.core.schemas import ERRORS, ErrorOut, Id
from panhuo.organisation import policy
from panhuo.organisation.policy import NotPermitted

router = Router(tags=["bidders"])
PUBLIC_ERRORS = {400: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _own(request: HttpRequest):
    bidder = bidder_for(actor(request))
    if bidder is None:
        raise Http404
    return bidder


@router.post("/bidders/register", response={201: BidderOut, **PUBLIC_ERRORS}, auth=None)
def bidder_register(request: HttpRequest, payload: BidderSignUpIn):
    """Open an account and register as a bidder (public; at most the sign-in throttle's
    attempts per address in its window, then 429 with Retry-After). The registration awaits
    the office's verification; sign in with the user name and password to use it."""
    throttle.check(request)
    throttle.count(request)
    bidder = services.self_register(**payload.dict())
    return Status(201, bidder)


@router.get("/bidders/me", response={200: BidderOut, **ERRORS})
def bidder_me(request: HttpRequest):
    """The caller's own registration (404 when they have none)."""
    return _own(request)


@router.patch("/bidders/me", response={200: BidderOut, **ERRORS})
def bidder_me_update(request: HttpRequest, payload: BidderDetailsPatch):
    """Correct one's details, while awaiting verification or after a rejection."""
    bidder = _own(request)
    changes = payload.dict(exclude_none=True)
    return services.bidder_update(actor=actor(request), bidder=bidder, **changes)


@router.post("/bidders/me/resubmit", response={200: BidderOut, **ERRORS})
def bidder_me_resubmit(request: HttpRequest):
    """A rejected bidder asks for verification again (after correcting their details)."""
    return services.bidder_transition(actor(request), _own(request), "pending")


@router.get("/bidders/me/relations", response={200: list[BidderRelationOut], **ERRORS})
def bidder_me_relations(request: HttpRequest):
    return list(_own(request).relations.order_by("pk"))


@router.post("/bidders/me/relations", response={201: BidderRelationOut, **ERRORS})
def bidder_me_relation_add(request: HttpRequest, payload: BidderRelationIn):
    """Declare a relation to an official or a unit (until verified)."""
    relation = services.relation_add(actor=actor(request), bidder=_own(request), **payload.dict())
    return Status(201, relation)


@router.delete("/bidders/me/relations/{relation_id}", response={204: None, **ERRORS})
def bidder_me_relation_remove(request: HttpRequest, relation_id: Id):
    """Withdraw a declared relation (until verified); another bidder's is a 404."""
    relation = get_own_relation(actor(request), relation_id)
    services.relation_remove(actor=actor(request), relation=relation)
    return Status(204, None)


@router.get("/bidders", response={200: list[BidderOut], **ERRORS})
@paginate(PagePagination)
def bidder_index(request: HttpRequest, filters: Query[BidderFilters]):
    """The bidders registered with the caller's places (task-force readers)."""
    require_any(request, "bidder", "view")
    user = actor(request)
    data = selector_filters(user, filters, texts=("status", "kind", "related"))
    return bidder_list(user, **data).prefetch_related("relations")


detail_endpoint(router, "/bidders/{bidder_id}", BidderOut, "bidder", get_bidder_for)


@router.post("/bidders/{bidder_id}/transitions", response={200: BidderOut, **ERRORS})
def bidder_transition(request: HttpRequest, bidder_id: Id, payload: BidderTransitionIn):
    """Verify, reject, suspend or reinstate (the office of the bidder's place), by the status
    to move to; a step the table does not have from the current status is a 400 naming it."""
    require_any(request, "bidder", "view")
    user = actor(request)
    bidder = get_bidder_for(user, bidder_id)
    if not services.may_decide_any(user, bidder):
        raise NotPermitted(policy.refusal("bidder", "verify"))
    return services.bidder_transition(user, bidder, payload.to, payload.reason)
