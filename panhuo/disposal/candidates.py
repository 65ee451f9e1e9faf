"""Which assets may go into a package: the confirmed scope's candidates.

The task force's scope decision (panhuo.register.scope) records, for every asset it covered,
whether it is in and why. An asset's standing is its *latest* recorded item: a later decision
that leaves it out takes it out. A candidate for a package is an asset the caller may see whose
latest item includes it, that is not essential (never, whatever a decision says), not disposed
and in no live package. ``assets_in_scope`` is the gate the package services run: an asset no
decision covers is refused as well as one the latest decision left out.
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
from django.utils.translation import gettext_lazy as _

from panhuo.core.gates import GateRefused, rule
from panhuo.disposal.models import PackageItem
from panhuo.register.models import GONE_STATUSES, Asset, Criticality, Encumbrance
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
        # A charge recorded after the scope decision: the asset may still be packaged, but
        # the page marks it before anyone approves a sale its holder can block.
        encumbered=Exists(Encumbrance.objects.filter(asset=OuterRef("pk"))),
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


SCOPE_NOT_INCLUDED = rule(
    "scope_not_included",
    _("An asset enters a package only when the latest scope decision includes it"),
    _("The task force's scope decision (界定范围; DESIGN.md §2)"),
    owner="disposal",
)

#: How many asset codes a refusal names before it says how many more there are.
NAMED = 20


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:NAMED])
    if len(codes) > NAMED:
        shown += " " + _("and %(n)d more") % {"n": len(codes) - NAMED}
    return shown


def assets_in_scope(assets: list[Asset]) -> None:
    """Gate ``scope_not_included``: every asset's latest scope item includes it. An asset that
    no scope decision ever covered is refused as well as one the latest decision left out (a
    later decision that leaves an asset out takes it out; one that includes it again lets it
    back). Raises :class:`GateRefused` naming the asset codes; returns None when all are in."""
    latest = {
        a.pk: (a.scope_included, a.scope_decision_id)
        for a in with_scope(Asset.objects.filter(pk__in=[a.pk for a in assets])).only("pk")
    }
    never: list[str] = []
    left_out: list[str] = []
    decisions: set[int] = set()
    for a in sorted(assets, key=lambda x: x.code):
        included, decision = latest.get(a.pk, (None, None))
        if included is None:
            never.append(a.code)
        elif not included:
            left_out.append(a.code)
            decisions.add(decision)
    if not never and not left_out:
        return
    parts = []
    if never:
        parts.append(
            str(_("No scope decision covers asset(s) %(codes)s.") % {"codes": _codes(never)})
        )
    if left_out:
        parts.append(
            str(
                _("The latest scope decision (%(decisions)s) left out asset(s) %(codes)s.")
                % {
                    "decisions": ", ".join(f"#{d}" for d in sorted(decisions)),
                    "codes": _codes(left_out),
                }
            )
        )
    raise GateRefused(
        SCOPE_NOT_INCLUDED,
        field="assets",
        message=" ".join(parts),
        unblock=_("record a scope decision that includes the asset."),
    )
