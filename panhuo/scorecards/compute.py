"""Every unit's scorecard for a period of a plan, computed from the records as of a day (never
typed), with its score, tier and rank; and the same card rebuilt from an issued (frozen) one.

The score is the weighted mean of the parts that have something to score in the period
(``parts``): a part with nothing to score (no target, no project under a time limit, no sale,
no asset) drops out and its weight is shared among the others in proportion, so a unit is not
marked down for what it had no occasion to do. Compliance always scores, so every unit has a
score; when the parts that score all weigh 0 it is their plain mean. The score is rounded half
up to 0.01 and lies within 0–100.

Tiers (``TIER_FLOORS``): 优秀 Excellent ≥ 90, 良好 Good ≥ 75, 一般 Fair ≥ 60, 较差 Poor below.
The rank orders the units of the plan's jurisdiction by score, highest first, ties by unit
code: ranks 1 to n, each once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from panhuo.organisation.models import Unit
from panhuo.planning.models import WorkPlan
from panhuo.planning.progress import plan_progress
from panhuo.scorecards import parts as P
from panhuo.scorecards.models import PARTS, Period, Scorecard, ScoreWeights, Tier

#: The weights of a plan that has set none (percent, adding up to 100).
DEFAULT_WEIGHTS = {"completion": 40, "timeliness": 15, "price": 15, "compliance": 15,
                   "quality": 15}  # fmt: skip
TIER_FLOORS = ((Decimal(90), Tier.EXCELLENT), (Decimal(75), Tier.GOOD), (Decimal(60), Tier.FAIR))
CENT = Decimal("0.01")


@dataclass
class Card:
    """A unit's scorecard: live (computed as of ``on``) or rebuilt from ``issued``."""

    plan: WorkPlan
    unit: Unit
    period: str
    on: dt.date
    parts: list[P.Part]
    score: Decimal
    tier: str
    rank: int = 0
    ranked_of: int = 0
    issued: Scorecard | None = None
    weights: dict[str, int] = field(default_factory=dict)

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        url = reverse("scorecard-card", args=[self.plan.pk, self.unit.pk])
        return f"{url}?period={self.period}"


def weights_of(plan: WorkPlan) -> dict[str, int]:
    """The plan's weights; a revision that set none keeps those of the version it revises;
    the defaults where no version set any."""
    version: WorkPlan | None = plan
    while version is not None:
        row = ScoreWeights.objects.filter(plan=version).first()
        if row is not None:
            return row.as_dict()
        version = version.previous
    return dict(DEFAULT_WEIGHTS)


def period_end(plan: WorkPlan, period: str) -> dt.date:
    """The last day of ``period`` in the plan's year."""
    month = 3 * (4 if period == Period.YEAR else int(period[1]))
    return dt.date(plan.year, month, calendar.monthrange(plan.year, month)[1])


def as_of(plan: WorkPlan, period: str, on: dt.date) -> dt.date:
    """The day a period's card is computed at: ``on``, or the period's last day if earlier."""
    return min(on, period_end(plan, period))


def weighted(parts: list[P.Part], weights: dict[str, int]) -> Decimal:
    """The score of ``parts`` under ``weights`` (see the module doc)."""
    scored = [p for p in parts if p.score is not None]
    if not scored:
        return Decimal(0)
    total = sum(weights.get(p.name, 0) for p in scored)
    if total:
        value = sum(Decimal(weights.get(p.name, 0)) * p.score for p in scored) / total
    else:
        value = sum(p.score for p in scored) / len(scored)
    return min(max(value, Decimal(0)), Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def tier_of(score: Decimal) -> str:
    for floor, tier in TIER_FLOORS:
        if score >= floor:
            return tier
    return Tier.POOR


def rank(cards: list[Card]) -> list[Card]:
    """``cards`` ordered by score (highest first, ties by unit code), ranked 1 to n."""
    ordered = sorted(cards, key=lambda c: (-c.score, c.unit.code, c.unit.pk))
    for i, card in enumerate(ordered, start=1):
        card.rank, card.ranked_of = i, len(ordered)
    return ordered


def compute_cards(plan: WorkPlan, period: str, on: dt.date) -> list[Card]:
    """Every unit's live card of the plan's jurisdiction (and below), ranked."""
    day = as_of(plan, period, on)
    path = plan.jurisdiction.path
    units = list(Unit.objects.filter(jurisdiction__path__startswith=path).order_by("code", "pk"))
    ids = [u.pk for u in units]
    weights = weights_of(plan)
    found = {
        "completion": P.completion(plan_progress(plan, day), period, plan.get_absolute_url()),
        "timeliness": P.timeliness(path, day),
        "price": P.price(path, plan.year, period, day),
        "compliance": P.compliance(path, day, ids),
        "quality": P.quality(path, day),
    }
    cards = []
    for unit in units:
        got = []
        for name in PARTS:
            part = found[name].get(unit.pk) or P.Part(name, None, [])
            part.weight = weights[name]
            got.append(part)
        score = weighted(got, weights)
        cards.append(Card(plan, unit, period, day, got, score, tier_of(score), weights=weights))
    return rank(cards)


# --- Frozen cards ------------------------------------------------------------------------------


def frozen(card: Card) -> list[dict]:
    """The card's parts as the issued scorecard stores them (JSON)."""
    return [
        {
            "name": p.name,
            "weight": p.weight,
            "score": None if p.score is None else str(p.score.quantize(CENT)),
            "figures": [
                {
                    "key": f.key,
                    "value": None if f.value is None else str(f.value),
                    "url": f.url,
                    "records": [list(r) for r in f.records],
                }
                for f in p.figures
            ],
        }
        for p in card.parts
    ]


def thawed(sc: Scorecard) -> Card:
    """An issued scorecard as a card (its stored figures; nothing recomputed)."""
    got = [
        P.Part(
            p["name"],
            None if p["score"] is None else Decimal(p["score"]),
            [
                P.Figure(f["key"], f["value"], f["url"], [tuple(r) for r in f["records"]])
                for f in p["figures"]
            ],
            p["weight"],
        )
        for p in sc.figures
    ]
    return Card(sc.plan, sc.unit, sc.period, sc.as_of, got, sc.score, sc.tier, sc.rank,
                sc.ranked_of, sc, dict(sc.weights))  # fmt: skip
