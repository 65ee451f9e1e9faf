"""Reads of packages and projects, scoped to the caller, with figures derived from assets."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from panhuo.core.querying import id_or_missing, ordered
from panhuo.disposal.models import DisposalProject, Package

PACKAGE_ORDERINGS = {
    "code": "code",
    "name": "name",
    "created_at": "created_at",
    "status": "status",
    "book_value": "total_book_value",
    "appraised_value": "total_appraised_value",
    "assets": "asset_count",
}
PROJECT_ORDERINGS = {
    "code": "code",
    "status": "status",
    "channel": "channel",
    "reserve_price": "reserve_price",
    "deal_price": "deal_price",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def with_figures(qs: QuerySet[Package]) -> QuerySet[Package]:
    """Package figures are sums over its assets, never stored."""
    return qs.annotate(
        asset_count=Count("items", distinct=True),
        total_book_value=Sum("items__asset__book_value"),
        total_appraised_value=Sum("items__asset__appraised_value"),
    )


def get_package_for(user, pk) -> Package:
    pk = id_or_missing(pk, Package)
    visible = Package.objects.visible_to(user).filter(pk=pk).values("pk")
    return (
        with_figures(Package.objects.filter(pk__in=visible))
        .select_related("jurisdiction", "created_by")
        .get()
    )


def package_list(
    user, *, q: str = "", status: str = "", channel: str = "", ordering: str = "-created_at"
) -> QuerySet[Package]:
    visible = Package.objects.visible_to(user).values("pk")
    qs = with_figures(Package.objects.filter(pk__in=visible)).select_related("jurisdiction")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return ordered(qs, ordering, PACKAGE_ORDERINGS, "created_at")


def get_project_for(user, pk) -> DisposalProject:
    pk = id_or_missing(pk, DisposalProject)
    visible = DisposalProject.objects.visible_to(user).filter(pk=pk).values("pk")
    return (
        DisposalProject.objects.filter(pk__in=visible)
        .select_related("package__jurisdiction", "created_by", "submitted_by", "approved_by")
        .get()
    )


def project_list(
    user,
    *,
    q: str = "",
    status: str = "",
    channel: str = "",
    package: int | None = None,
    ordering: str = "-created_at",
):
    visible = DisposalProject.objects.visible_to(user).values("pk")
    qs = DisposalProject.objects.filter(pk__in=visible).select_related("package")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(buyer__icontains=q) | Q(package__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if package:
        qs = qs.filter(package_id=package)
    return ordered(qs, ordering, PROJECT_ORDERINGS, "created_at")


def project_counts_by_status(user) -> list[dict]:
    visible = DisposalProject.objects.visible_to(user).values("pk")
    return list(
        DisposalProject.objects.filter(pk__in=visible)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )
