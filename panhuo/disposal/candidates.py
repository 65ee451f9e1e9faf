"""Which assets may go into a package: the confirmed scope's candidates.

The task force's scope decision (panhuo.register.scope) records, for every asset it covered,
whether it is in and why. An asset's standing is its *latest* recorded item: a later decision
that leaves it out takes it out. A candidate for a package is an asset the caller may see whose
latest item includes it, that is not essential (never, whatever a decision says), not disposed
and in no live package.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Exists,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
)

from panhuo.disposal.models import PackageItem
from panhuo.register.models import GONE_STATUSES, Asset, Criticality
from panhuo.register.scope_models import ScopeDecisionItem
from panhuo.register.selectors import asset_list

CANDIDATE_ORDERINGS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "book_value": "book_value",
    "appraised_value": "appraised_value",
    "area": "area",
}


def _latest(field: str, output_field):
    return Subquery(
        ScopeDecisionItem.objects.filter(asset=OuterRef("pk"))
        .order_by("-decision__decided_at", "-decision_id")
        .values(field)[:1],
        output_field=output_field,
    )


def with_scope(qs: QuerySet[Asset]) -> QuerySet[Asset]:
    """Annotate each asset with its latest scope item: included, decision id, reasons."""
    return qs.annotate(
        scope_included=_latest("included", BooleanField()),
        scope_decision_id=_latest("decision_id", IntegerField()),
        scope_reasons=_latest("reasons", JSONField()),
        in_live_package=Exists(PackageItem.objects.filter(asset=OuterRef("pk"), live=True)),
    )


def confirmed_candidates(
    user,
    *,
    q: str = "",
    kind: str = "",
    unit: int | None = None,
    jurisdiction=None,
    ordering: str = "code",
) -> QuerySet[Asset]:
    """The confirmed scope's candidates the caller may see and that no live package holds
    (``jurisdiction``: that jurisdiction and the ones below it)."""
    qs = asset_list(user, q=q, kind=kind, unit=unit, ordering="code").select_related(
        "unit__jurisdiction"
    )
    if jurisdiction is not None:
        qs = qs.filter(unit__jurisdiction__path__startswith=jurisdiction.path)
    qs = (
        with_scope(qs)
        .filter(scope_included=True, in_live_package=False)
        .exclude(criticality=Criticality.ESSENTIAL)
        .exclude(status__in=GONE_STATUSES)
    )
    key = ordering.removeprefix("-")
    field = CANDIDATE_ORDERINGS.get(key, "code")
    return qs.order_by(f"-{field}" if ordering.startswith("-") else field, "code", "pk")


def scope_refusals(assets: list[Asset]) -> list[str]:
    """Why these assets may not enter a package under the confirmed scope: the latest
    decision covering an asset left it out. An asset no decision covers yet is let through
    (registers that predate the scope work); see README "Packages"."""
    ids = [a.pk for a in assets]
    latest = {
        a.pk: (a.scope_included, a.scope_decision_id)
        for a in with_scope(Asset.objects.filter(pk__in=ids)).only("pk")
    }
    out = []
    for a in assets:
        included, decision = latest.get(a.pk, (None, None))
        if included is False:
            out.append(
                f"Asset {a.code} is out of scope: scope decision #{decision} did not include it."
            )
    return out
