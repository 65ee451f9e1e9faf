"""Reads of the fiscal monitor: lists of figures, a jurisdiction's roll-up, thresholds, alerts.

A jurisdiction's figures are the sum of its own and of every place below it, so a city's
supervisor sees the sum of its districts and a district's staff only their district. What a
caller may see is decided by the policy (``revenue``/``view``); everything else answers missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from panhuo.core.money import CENT
from panhuo.core.querying import id_or_missing, narrowed, ordered
from panhuo.monitor import figures
from panhuo.monitor.categories import Node
from panhuo.monitor.models import MonitorThresholds, RevenueCategory, RevenueRecord
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction

REVENUE_ORDERINGS = {
    "month": "month",
    "jurisdiction": "jurisdiction__code",
    "category": "category__position",
    "amount": "amount",
    "updated_at": "updated_at",
}


def monitor_jurisdictions(user) -> QuerySet[Jurisdiction]:
    """The places whose revenue ``user`` may read, tree order."""
    return policy.jurisdictions_for(user, "revenue", "view").order_by("path")


def get_jurisdiction_for(user, pk) -> Jurisdiction:
    """A jurisdiction whose revenue ``user`` may read; others are missing."""
    return monitor_jurisdictions(user).get(pk=id_or_missing(pk, Jurisdiction))


def leaf_categories() -> QuerySet[RevenueCategory]:
    return RevenueCategory.objects.filter(children__isnull=True).order_by("position", "code")


def category_nodes() -> list[Node]:
    rows = RevenueCategory.objects.select_related("parent").order_by("position", "code")
    return [
        Node(c.code, c.name, c.name_zh, c.parent.code if c.parent else None, c.budget) for c in rows
    ]


def category_labels() -> dict[str, str]:
    """Display names by code in the active language, with the sums above the budgets."""
    labels = {c.code: c.label for c in RevenueCategory.objects.all()}
    labels[figures.ALL] = _("All revenue")
    labels[figures.GENERAL] = _("General public budget revenue")
    return labels


#: What a revenue list's ``q`` searches: the place's and the category's codes and names.
SEARCH = (
    "jurisdiction__code",
    "jurisdiction__name",
    "category__code",
    "category__name",
    "category__name_zh",
)


def revenue_list(
    user,
    *,
    q: str = "",
    jurisdiction: int | None = None,
    category: str | None = None,
    year: int | None = None,
    month: dt.date | None = None,
    ordering: str = "-month",
) -> QuerySet[RevenueRecord]:
    """Figures the caller may read, filtered. ``jurisdiction`` includes the places below it;
    ``category`` (a code) includes its items."""
    qs = RevenueRecord.objects.visible_to(user).select_related("jurisdiction", "category")
    qs = narrowed(qs, q=q, search=SEARCH)
    if jurisdiction is not None:
        place = Jurisdiction.objects.filter(pk=jurisdiction).first()
        qs = qs.filter(jurisdiction__path__startswith=place.path) if place else qs.none()
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if year is not None:
        qs = qs.filter(month__year=year)
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    return ordered(qs, ordering, REVENUE_ORDERINGS, "-month", tiebreak="pk")


def amounts_for(user, jurisdiction: Jurisdiction, years: list[int]) -> figures.Amounts:
    """Leaf amounts by (category code, month) over ``jurisdiction`` and everything below it
    that the caller may see, for the given years."""
    rows = (
        RevenueRecord.objects.visible_to(user)
        .filter(jurisdiction__path__startswith=jurisdiction.path, month__year__in=years)
        .values_list("category__code", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(code, month): Decimal(total).quantize(CENT) for code, month, total in rows}


def thresholds_for(jurisdiction: Jurisdiction) -> tuple[Decimal, Decimal, Jurisdiction | None]:
    """(land dependence %, growth margin pp, whose set) for ``jurisdiction``: its own set,
    else its nearest ancestor's, else the defaults (owner None)."""
    parts = [p for p in jurisdiction.path.strip("/").split("/") if p]
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    sets = {
        t.jurisdiction.path: t
        for t in MonitorThresholds.objects.filter(jurisdiction__path__in=paths).select_related(
            "jurisdiction"
        )
    }
    for path in reversed(paths):
        if path in sets:
            t = sets[path]
            return t.land_dependence_pct, t.growth_margin_pct, t.jurisdiction
    return (
        MonitorThresholds.DEFAULT_LAND_DEPENDENCE,
        MonitorThresholds.DEFAULT_GROWTH_MARGIN,
        None,
    )


def monitor_summary(
    user, jurisdiction: Jurisdiction, year: int, through: int | None = None
) -> figures.Summary:
    """The roll-up of ``jurisdiction`` for ``year`` (against the year before), with alerts."""
    amounts = amounts_for(user, jurisdiction, [year - 1, year])
    summary = figures.summarise(
        amounts, category_nodes(), year=year, through=through, labels=category_labels()
    )
    land, margin, _owner = thresholds_for(jurisdiction)
    summary.alerts = figures.alerts(summary, land_dependence_pct=land, growth_margin_pct=margin)
    return summary


def years_with_data(user, jurisdiction: Jurisdiction) -> list[int]:
    months = (
        RevenueRecord.objects.visible_to(user)
        .filter(jurisdiction__path__startswith=jurisdiction.path)
        .dates("month", "year", order="DESC")
    )
    return [d.year for d in months]


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,}"


def alert_text(alert: figures.Alert) -> str:
    """The alert as a sentence stating its figures, in the active language."""
    f = {k: _fmt(v) for k, v in alert.figures.items()}
    if alert.code == "non_tax_outgrows_tax":
        return (
            _(
                "Non-tax revenue grew %(growth)s %% year to date while tax revenue grew "
                "%(tax_growth)s %% (alert margin %(margin)s percentage points)."
            )
            % f
        )
    if alert.code == "fines_outgrows_tax":
        return (
            _(
                "Fines and confiscations grew %(growth)s %% year to date while tax revenue grew "
                "%(tax_growth)s %% (alert margin %(margin)s percentage points)."
            )
            % f
        )
    return (
        _(
            "Land-use right sales are %(share)s %% of general budget and fund revenue year to date "
            "(%(land_sales)s of %(revenue)s yuan), above the threshold of %(threshold)s %%."
        )
        % f
    )
