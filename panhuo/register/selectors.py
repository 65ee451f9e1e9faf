"""Reads of the asset register, always scoped to the caller."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from panhuo.core.querying import narrowed, ordered, visible_one
from panhuo.organisation import policy
from panhuo.register.import_models import ImportRun
from panhuo.register.models import Asset, AssetStatus, Encumbrance
from panhuo.register.rollups import asset_cells
from panhuo.register.scope_models import ScopeDecision

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


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier (clamped to the month's end)."""
    import calendar

    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(y, m + 1)[1]
    return dt.date(y, m + 1, min(day.day, last))


def get_asset_for(user, pk) -> Asset:
    """The asset if the caller may see it; Asset.DoesNotExist otherwise (denied looks missing)."""
    return visible_one(Asset, user, pk, "unit__jurisdiction")


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
    min_appraised=None,
    max_appraised=None,
    min_idle_months: int | None = None,
    encumbered: bool | None = None,
    classification: str = "",
    ordering: str = "code",
) -> QuerySet[Asset]:
    """The caller's assets, filtered and sorted; unknown orderings fall back to code."""
    qs = Asset.objects.visible_to(user).select_related("unit")
    qs = narrowed(
        qs,
        q=q,
        search=("name", "code", "address"),
        kind=kind,
        status=status,
        criticality=criticality,
        unit_id=unit,
        unit__jurisdiction_id=jurisdiction,
        book_value__gte=min_value,
        book_value__lte=max_value,
        appraised_value__gte=min_appraised,
        appraised_value__lte=max_appraised,
    )
    if min_idle_months is not None:
        # Idle at least N months: idle or under-used, and idle since on or before today − N.
        qs = qs.filter(
            status__in=[AssetStatus.IDLE, AssetStatus.UNDER_USED],
            idle_since__lte=months_before(timezone.localdate(), min_idle_months),
        )
    if encumbered is not None:
        has = Exists(Encumbrance.objects.filter(asset=OuterRef("pk")))
        qs = qs.filter(has if encumbered else ~has)
    if classification:
        # A code and everything below it in the classification tree.
        qs = qs.filter(
            Q(classification__code=classification)
            | Q(classification__parent__code=classification)
            | Q(classification__parent__parent__code=classification)
            | Q(classification__parent__parent__parent__code=classification)
        )
    return ordered(qs, ordering, ASSET_ORDERINGS, "code")


def asset_summary(user) -> dict:
    """Counts and values by status and by kind, for the dashboard.

    Read from the roll-ups (``register.rollups``: one row per jurisdiction — per unit for a
    unit asset officer —, status and kind, kept by every write), summed over the places the
    user may see; folded here into the two series.
    """
    cells = asset_cells(user, per_unit=False)
    status_sums: dict[str, dict] = {}
    kind_sums: dict[str, dict] = {}
    for c in cells:
        for key, sums in (("status", status_sums), ("kind", kind_sums)):
            row = sums.setdefault(c[key], {key: c[key], "n": 0, "value": None})
            row["n"] += c["n"]
            if c["value"] is not None:
                row["value"] = (row["value"] or 0) + c["value"]
    by_status = [status_sums[k] for k in sorted(status_sums)]
    by_kind = [kind_sums[k] for k in sorted(kind_sums)]
    return {"by_status": by_status, "by_kind": by_kind, "total": sum(r["n"] for r in by_status)}


def unit_asset_figures(*, user, unit) -> dict:
    """The unit page's figures of its assets (registered on ``organisation.hooks.unit_figures``
    in RegisterConfig.ready): count and book value, and the count by status, from the
    roll-up's rows of the unit."""
    cells = asset_cells(user).filter(unit=unit.pk)
    by_status: dict[str, int] = {}
    n, book = 0, None
    for c in cells:
        by_status[c["status"]] = by_status.get(c["status"], 0) + c["n"]
        n += c["n"]
        book = (book or 0) + c["value"]
    figures = {"n": n, "book": book}
    by_status = [(AssetStatus(k).label, by_status[k]) for k in sorted(by_status)]
    return {"figures": figures, "by_status": by_status}


SCOPE_DECISION_ORDERINGS = {
    "id": "pk",
    "decided_at": "decided_at",
    "jurisdiction": "jurisdiction__path",
    "in_scope": "n_in",
    "assets": "n_items",
}


def scope_decision_list(
    user,
    *,
    q: str = "",
    jurisdiction: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    """Recorded scope decisions in the reader's jurisdictions, with their counts."""
    qs = (
        ScopeDecision.objects.filter(
            policy.scope_q(user, "scope", "view", path="jurisdiction__path")
        )
        .select_related("jurisdiction", "decided_by")
        .annotate(n_items=Count("items"), n_in=Count("items", filter=Q(items__included=True)))
    )
    qs = narrowed(
        qs,
        q=q,
        search=("note", "decided_by__username"),
        jurisdiction_id=jurisdiction,
        decided_at__date__gte=date_from,
        decided_at__date__lte=date_to,
    )
    return ordered(qs, "-decided_at", SCOPE_DECISION_ORDERINGS, "-decided_at")


IMPORT_ORDERINGS = {
    "id": "pk",
    "file": "file_name",
    "status": "status",
    "rows": "rows_done",
    "created_at": "created_at",
}


def import_run_list(user, *, q: str = "", status: str = "", target: str = "") -> QuerySet:
    """The reader's own imports (nobody sees another's uploads)."""
    qs = ImportRun.objects.filter(owner=user)
    qs = narrowed(qs, file_name__icontains=q, status=status, target=target)
    return ordered(qs, "-created_at", IMPORT_ORDERINGS, "-created_at")
