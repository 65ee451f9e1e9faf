"""Reads of bidders: the caller's own registration, whether they may take part in sales, and
the office's scoped reads (what a caller may not see answers "missing", as absent does)."""

from __future__ import annotations

import copy

from django.db.models import Count, QuerySet

from panhuo.bidders.models import Bidder, BidderStatus, DeclaredRelation
from panhuo.core.joined import JoinedRead
from panhuo.core.querying import id_or_missing, narrowed, ordered
from panhuo.organisation import memo

BIDDER_ORDERINGS = {
    "name": "name",
    "kind": "kind",
    "status": "status",
    "registered_at": "registered_at",
    "jurisdiction": "jurisdiction__path",
    "relations": "n_relations",
}
SEARCH = ("name", "id_number", "credit_code", "phone", "user__username")


#: A bidder signs in on every bid: this read's SQL is built once (core/joined.py), not compiled
#: by the ORM each time (a quarter of a bid's CPU in the server before).
_BIDDER_OF_USER = JoinedRead(Bidder, ("jurisdiction",), where="t0.user_id = %s")


def bidder_for(user) -> Bidder | None:
    """The bidder ``user`` signs in as (one at most: one user, one bidder), or None
    (anonymous, staff, not registered)."""
    if user is None or not user.is_authenticated:
        return None
    # A token call's user carries the memo's key (organisation/memo.py): a bidder bidding on a
    # hot lot is read once per process until a write that may change them (a verification, a
    # suspension) moves the key; each call gets its own copy.
    key = getattr(user, "_panhuo_memo_key", None)
    kept = memo.get(key, ("bidder", user.pk))
    if kept is None:
        kept = _BIDDER_OF_USER.first([user.pk])
        if kept is None:
            return None
        memo.put(key, ("bidder", user.pk), kept)
    return copy.copy(kept)


def is_verified(user) -> bool:
    """Whether ``user`` is a bidder the office has verified (and not suspended): the one test
    for taking part in a sale."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Bidder.objects.filter(user=user, status=BidderStatus.VERIFIED).exists()


def is_verified_bidder(user, bidder: Bidder | None) -> bool:
    """``is_verified`` for a caller whose bidder row (``bidder_for``) is already read: the
    same test without reading it again (a bid reads it once per request)."""
    if bidder is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    return bidder.user_id == user.pk and bidder.status == BidderStatus.VERIFIED


def bidders_for(user) -> QuerySet[Bidder]:
    """The bidders ``user`` may view as staff (policy ``bidder.view`` over the place they
    registered with)."""
    return Bidder.objects.visible_to(user).select_related("jurisdiction", "user", "decided_by")


def bidder_list(
    user,
    *,
    q: str = "",
    status: str = "",
    kind: str = "",
    related: str = "",
    jurisdiction=None,
    ordering: str = "-registered_at",
) -> QuerySet[Bidder]:
    """The office's list: the bidders ``user`` may view, searched, filtered and sorted, each
    with its number of declared relations (``n_relations``)."""
    qs = bidders_for(user).annotate(n_relations=Count("relations"))
    qs = narrowed(qs, q=q, search=SEARCH, status=status, kind=kind)
    if related == "yes":
        qs = qs.filter(n_relations__gt=0)
    elif related == "no":
        qs = qs.filter(n_relations=0)
    if jurisdiction is not None:
        qs = qs.filter(jurisdiction__path__startswith=jurisdiction.path)
    return ordered(qs, ordering, BIDDER_ORDERINGS, "-registered_at")


def get_bidder_for(user, pk) -> Bidder:
    """One bidder ``user`` may view as staff; DoesNotExist otherwise."""
    return bidders_for(user).get(pk=id_or_missing(pk, Bidder))


def relations_of(bidder: Bidder) -> QuerySet[DeclaredRelation]:
    return bidder.relations.select_related("unit").order_by("pk")


def get_own_relation(user, pk) -> DeclaredRelation:
    """A relation the caller declared themself; DoesNotExist otherwise."""
    return DeclaredRelation.objects.select_related("bidder", "bidder__jurisdiction").get(
        pk=id_or_missing(pk, DeclaredRelation), bidder__user_id=getattr(user, "pk", None)
    )
