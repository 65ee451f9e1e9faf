"""Reads of scorecards, scoped to the reader. Public functions (other apps, e.g. the reports,
call these; their names and arguments stay stable):

- ``scored_plans(user)``: the approved (or superseded) plans with scorecards ``user`` may read.
- ``get_scored_plan_for(user, pk)``: one of them (``WorkPlan.DoesNotExist`` otherwise: a 404).
- ``default_plan(user)``: the newest of them, or None.
- ``scorecards_for(user, plan, period, *, on=None)``: the cards of the period ``user`` may
  read, ranked (``compute.Card``): the issued (frozen) ones when the period was issued and no
  day is asked for, else computed live as of ``on`` (today by default). A unit asset officer
  gets their own unit's card only (its rank is among all the plan's units).
- ``scorecard_for(user, plan_pk, unit_pk, period, *, on=None)``: one unit's card
  (``Scorecard.DoesNotExist`` when the reader may not read it: a 404).
- ``scorecard_rows(user, *, plan, period, tier, q, on, ordering)``: the list page's rows
  (cards of ``plan``, by default ``default_plan(user)``), filtered and sorted.
- ``issued_for(user, plan, period)``: the issued ``Scorecard`` rows ``user`` may read.
- ``get_issued_for(user, pk)``: one issued scorecard.
- ``decision_list(user, *, q, kind, status, plan, unit, ordering)`` and
  ``get_decision_for(user, pk)``: rewards and punishments (a unit sees its own).
- ``decisions_on(user, plan, unit, period)``: the decisions on one unit's card of a period.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from panhuo.core.querying import id_or_missing, narrowed, ordered
from panhuo.organisation import policy
from panhuo.organisation.models import Unit
from panhuo.planning.models import PlanStatus, WorkPlan
from panhuo.scorecards.compute import Card, compute_cards, thawed
from panhuo.scorecards.models import Decision, Period, Scorecard

SHOWN_STATES = (PlanStatus.APPROVED, PlanStatus.SUPERSEDED)
CARD_ORDERINGS = {
    "rank": "rank",
    "-rank": "-rank",
    "score": "score",
    "-score": "-score",
    "unit": "unit",
    "-unit": "-unit",
}
#: The list's sortable columns (each ascending, or descending with "-").
DECISION_ORDERINGS = {
    "proposed_at": "proposed_at",
    "kind": "kind",
    "status": "status",
    "unit": "scorecard__unit__code",
}


def _ancestors(paths) -> set[str]:
    """Every prefix path of ``paths`` ("/1/2/3/" → "/1/", "/1/2/", "/1/2/3/")."""
    out = set()
    for path in paths:
        parts = [p for p in path.strip("/").split("/") if p]
        out.update("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
    return out


def scored_plans(user) -> QuerySet[WorkPlan]:
    """Plans over a unit whose card ``user`` may read: above or at its jurisdiction."""
    places = set(
        policy.units_for(user, "scorecard", "view")
        .values_list("jurisdiction__path", flat=True)
        .distinct()
    )
    return (
        WorkPlan.objects.filter(status__in=SHOWN_STATES, jurisdiction__path__in=_ancestors(places))
        .select_related("jurisdiction")
        .order_by("-year", "jurisdiction__path", "-number")
    )


def get_scored_plan_for(user, pk) -> WorkPlan:
    return scored_plans(user).get(pk=id_or_missing(pk, WorkPlan))


def default_plan(user) -> WorkPlan | None:
    plans = scored_plans(user)
    return plans.filter(status=PlanStatus.APPROVED).first() or plans.first()


def _may_read(user, unit: Unit) -> bool:
    return policy.allowed(user, "scorecard", "view", jurisdiction=unit.jurisdiction,
                          units=[unit.pk])  # fmt: skip


def scorecards_for(user, plan: WorkPlan, period: str, *, on: dt.date | None = None) -> list[Card]:
    """See the module doc."""
    if period not in Period.values:
        return []
    issued = list(
        Scorecard.objects.filter(plan=plan, period=period).select_related(
            "plan__jurisdiction", "unit__jurisdiction"
        )
    )
    if issued and on is None:
        cards = sorted((thawed(sc) for sc in issued), key=lambda c: c.rank)
    else:
        cards = compute_cards(plan, period, on or timezone.localdate())
    return [c for c in cards if _may_read(user, c.unit)]


def scorecard_for(user, plan_pk, unit_pk, period: str, *, on: dt.date | None = None) -> Card:
    """See the module doc."""
    plan = get_scored_plan_for(user, plan_pk)
    unit = Unit.objects.select_related("jurisdiction").filter(pk=id_or_missing(unit_pk, Unit))
    unit = unit.first()
    if unit is None or not _may_read(user, unit) or period not in Period.values:
        raise Scorecard.DoesNotExist
    if not unit.jurisdiction.path.startswith(plan.jurisdiction.path):
        raise Scorecard.DoesNotExist
    for card in scorecards_for(user, plan, period, on=on):
        if card.unit.pk == unit.pk:
            return card
    raise Scorecard.DoesNotExist


def scorecard_rows(
    user,
    *,
    plan: int | None = None,
    period: str = Period.YEAR,
    tier: str = "",
    q: str = "",
    on: dt.date | None = None,
    ordering: str = "rank",
) -> list[Card]:
    """The list page's rows (see the module doc); an unknown plan gives none."""
    found = default_plan(user) if plan is None else scored_plans(user).filter(pk=plan).first()
    if found is None:
        return []
    cards = scorecards_for(user, found, period or Period.YEAR, on=on)
    if tier:
        cards = [c for c in cards if c.tier == tier]
    if q:
        q = q.casefold()
        cards = [c for c in cards if q in c.unit.name.casefold() or q in c.unit.code.casefold()]
    key = CARD_ORDERINGS.get(ordering, "rank")
    sort = {
        "rank": lambda c: c.rank,
        "score": lambda c: (c.score, -c.rank),
        "unit": lambda c: (c.unit.code, c.unit.pk),
    }[key.lstrip("-")]
    return sorted(cards, key=sort, reverse=key.startswith("-"))


def issued_for(user, plan: WorkPlan, period: str) -> QuerySet[Scorecard]:
    return (
        Scorecard.objects.visible_to(user)
        .filter(plan=plan, period=period)
        .select_related("unit", "plan__jurisdiction")
    )


def get_issued_for(user, pk) -> Scorecard:
    return (
        Scorecard.objects.visible_to(user)
        .select_related("unit__jurisdiction", "plan__jurisdiction")
        .get(pk=id_or_missing(pk, Scorecard))
    )


def decision_list(
    user,
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    plan: int | None = None,
    unit: int | None = None,
    ordering: str = "-proposed_at",
) -> QuerySet[Decision]:
    qs = Decision.objects.visible_to(user).select_related(
        "scorecard__unit", "scorecard__plan__jurisdiction", "proposed_by", "decided_by"
    )
    qs = narrowed(
        qs, q=q, search=("reason", "scorecard__unit__name"), kind=kind, status=status,
        scorecard__plan_id=plan or None, scorecard__unit_id=unit or None,
    )  # fmt: skip
    return ordered(qs, ordering, DECISION_ORDERINGS, "-proposed_at", tiebreak="-pk")


def get_decision_for(user, pk) -> Decision:
    return (
        Decision.objects.visible_to(user)
        .select_related("scorecard__unit__jurisdiction", "scorecard__plan__jurisdiction")
        .get(pk=id_or_missing(pk, Decision))
    )


def decisions_on(user, plan: WorkPlan, unit: Unit, period: str) -> QuerySet[Decision]:
    return decision_list(user).filter(
        scorecard__plan=plan, scorecard__unit=unit, scorecard__period=period
    )
