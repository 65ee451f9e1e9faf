"""Reads of the asset register, always scoped to the caller."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from panhuo.register.models import Asset

#: The orderings a list may ask for (API ``ordering`` and UI column headers).
ASSET_ORDERINGS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "status": "status",
    "unit": "unit__name",
    "book_value": "book_value",
    "appraised_value": "appraised_value",
    "area": "area",
    "updated_at": "updated_at",
}


def get_asset_for(user, pk) -> Asset:
    """The asset if the caller may see it; Asset.DoesNotExist otherwise (denied looks missing)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Asset.DoesNotExist from None
    return Asset.objects.visible_to(user).select_related("unit__jurisdiction").get(pk=pk)


def asset_list(
    user,
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    criticality: str = "",
    unit: int | None = None,
    jurisdiction: int | None = None,
    min_value=None,
    max_value=None,
    ordering: str = "code",
) -> QuerySet[Asset]:
    """The caller's assets, filtered and sorted; unknown orderings fall back to code."""
    qs = Asset.objects.visible_to(user).select_related("unit")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if criticality:
        qs = qs.filter(criticality=criticality)
    if unit:
        qs = qs.filter(unit_id=unit)
    if jurisdiction:
        qs = qs.filter(unit__jurisdiction_id=jurisdiction)
    if min_value is not None:
        qs = qs.filter(book_value__gte=min_value)
    if max_value is not None:
        qs = qs.filter(book_value__lte=max_value)
    desc = ordering.startswith("-")
    key = ASSET_ORDERINGS.get(ordering.lstrip("-"), "code")
    return qs.order_by(("-" if desc else "") + key, "pk")


def asset_summary(user) -> dict:
    """Counts and values by status and by kind, for the dashboard."""
    qs = Asset.objects.visible_to(user)
    by_status = list(
        qs.values("status").annotate(n=Count("id"), value=Sum("book_value")).order_by("status")
    )
    by_kind = list(
        qs.values("kind").annotate(n=Count("id"), value=Sum("book_value")).order_by("kind")
    )
    return {"by_status": by_status, "by_kind": by_kind, "total": sum(r["n"] for r in by_status)}
