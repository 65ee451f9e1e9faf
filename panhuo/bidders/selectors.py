"""Reads of bidders: the caller's own registration, whether they may take part in sales, and
the office's scoped reads (what a caller may not see answers "missing", as absent does)."""

from __future__ import annotations

from django.db.models import QuerySet

from panhuo.bidders.models import Bidder, BidderStatus, DeclaredRelation
from panhuo.core.querying import id_or_missing


def bidder_for(user) -> Bidder | None:
    """The bidder ``user`` signs in as, or None (anonymous, staff, not registered)."""
    if user is None or not user.is_authenticated:
        return None
    return Bidder.objects.select_related("jurisdiction").filter(user=user).first()


def is_verified(user) -> bool:
    """Whether ``user`` is a bidder the office has verified (and not suspended): the one test
    for taking part in a sale."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Bidder.objects.filter(user=user, status=BidderStatus.VERIFIED).exists()


def bidders_for(user) -> QuerySet[Bidder]:
    """The bidders ``user`` may view as staff (policy ``bidder.view`` over the place they
    registered with)."""
    return Bidder.objects.visible_to(user).select_related("jurisdiction", "user", "decided_by")


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
