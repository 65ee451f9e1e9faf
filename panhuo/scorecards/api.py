"""API of scorecards: the ranked cards of a plan's period, one unit's card with its figures and
drill-down links, the plan's weights, issuing a period, and rewards and punishments (proposed
by the office; the head decides them through the approvals API, purpose ``score_decision``).
Same permissions as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from panhuo.core.api import actor, referenced, require_any
from panhuo.core.api_lists import list_endpoint
from panhuo.core.schemas import ERRORS, Id, ListFilters, MoneyOut, Ordering, Text
from panhuo.scorecards import services
from panhuo.scorecards.compute import Card, weights_of
from panhuo.scorecards.selectors import (
    CARD_ORDERINGS,
    DECISION_ORDERINGS,
    decision_list,
    get_decision_for,
    get_issued_for,
    get_scored_plan_for,
    scorecard_for,
    scorecard_rows,
)

router = Router(tags=["scorecards"])
PeriodIn = Literal["Q1", "Q2", "Q3", "Q4", "Y"]


class ScoreFigureOut(Schema):
    key: str
    label: str
    value: str | None
    url: str
    records: list[list[str]]


class ScorePartOut(Schema):
    name: str
    label: str
    weight: int
    score: Decimal | None
    figures: list[ScoreFigureOut]


class ScorecardOut(Schema):
    plan_id: int
    unit_id: int
    unit: str
    period: str
    on: dt.date
    score: Decimal
    tier: str
    rank: int
    ranked_of: int
    issued_id: int | None
    url: str

    @staticmethod
    def resolve_plan_id(obj) -> int:
        return obj["plan_id"] if isinstance(obj, dict) else obj.plan.pk

    @staticmethod
    def resolve_unit_id(obj) -> int:
        return obj["unit_id"] if isinstance(obj, dict) else obj.unit.pk

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj["unit"] if isinstance(obj, dict) else obj.unit.name

    @staticmethod
    def resolve_issued_id(obj) -> int | None:
        if isinstance(obj, dict):
            return obj["issued_id"]
        return obj.issued.pk if obj.issued else None

    @staticmethod
    def resolve_url(obj) -> str:
        return obj["url"] if isinstance(obj, dict) else obj.get_absolute_url()


class ScorecardDetailOut(ScorecardOut):
    parts: list[ScorePartOut]


def _card(card: Card, parts: bool = False) -> dict:
    out = {
        "plan_id": card.plan.pk, "unit_id": card.unit.pk, "unit": card.unit.name,
        "period": card.period, "on": card.on, "score": card.score, "tier": card.tier,
        "rank": card.rank, "ranked_of": card.ranked_of,
        "issued_id": card.issued.pk if card.issued else None, "url": card.get_absolute_url(),
    }  # fmt: skip
    if parts:
        out["parts"] = [
            {"name": p.name, "label": p.label, "weight": p.weight, "score": p.score,
             "figures": [{"key": f.key, "label": f.label,
                          "value": None if f.value is None else str(f.value), "url": f.url,
                          "records": [list(r) for r in f.records]} for f in p.figures]}
            for p in card.parts
        ]  # fmt: skip
    return out


class ScorecardFilters(ListFilters):
    plan: Id | None = None
    period: PeriodIn = "Y"
    tier: Literal["", "excellent", "good", "fair", "poor"] = ""
    on: dt.date | None = None
    ordering: Ordering(CARD_ORDERINGS) = "rank"  # type: ignore[valid-type]


list_endpoint(router, "/scorecards", ScorecardOut, ScorecardFilters, "scorecard", scorecard_rows,
              doc="The cards of a plan's period you may read (the plan in force by default), "
              "ranked: issued (frozen) when the period was issued and no `on` is given, else "
              "computed live.")  # fmt: skip


class ScorecardQuery(Schema):
    period: PeriodIn = "Y"
    on: dt.date | None = None


@router.get("/scorecards/plans/{pk}/units/{unit_id}", response={200: ScorecardDetailOut, **ERRORS})
def scorecard_get(request: HttpRequest, pk: int, unit_id: int, query: Query[ScorecardQuery]):
    """One unit's card: each part's score and weight, its figures and the links to the records
    behind them (404 for a card you may not read)."""
    require_any(request, "scorecard", "view")
    card = scorecard_for(actor(request), pk, unit_id, query.period, on=query.on)
    return _card(card, parts=True)


class ScoreWeightsIn(Schema):
    completion: int = Field(ge=0, le=100)
    timeliness: int = Field(ge=0, le=100)
    price: int = Field(ge=0, le=100)
    compliance: int = Field(ge=0, le=100)
    quality: int = Field(ge=0, le=100)


class ScoreWeightsOut(ScoreWeightsIn):
    plan_id: int


@router.get("/scorecards/plans/{pk}/weights", response={200: ScoreWeightsOut, **ERRORS})
def scorecard_weights_get(request: HttpRequest, pk: int):
    """The plan's weights (the defaults where it set none)."""
    require_any(request, "scorecard", "view")
    plan = get_scored_plan_for(actor(request), pk)
    return {"plan_id": plan.pk, **weights_of(plan)}


@router.put("/scorecards/plans/{pk}/weights", response={200: ScoreWeightsOut, **ERRORS})
def scorecard_weights_put(request: HttpRequest, pk: int, payload: ScoreWeightsIn):
    """Set the plan's weights (the office): whole percentages adding up to 100."""
    require_any(request, "scorecard", "weights")
    plan = get_scored_plan_for(actor(request), pk)
    row = services.weights_set(actor=actor(request), plan=plan, data=payload.dict())
    return {"plan_id": plan.pk, **row.as_dict()}


class ScorecardIssueIn(Schema):
    period: PeriodIn
    on: dt.date | None = None


class ScorecardIssuedOut(Schema):
    plan_id: int
    period: str
    issued: int


@router.post("/scorecards/plans/{pk}/issue", response={201: ScorecardIssuedOut, **ERRORS})
def scorecard_issue(request: HttpRequest, pk: int, payload: ScorecardIssueIn):
    """Issue the period's scorecards of every unit (the office): frozen as of ``on``."""
    require_any(request, "scorecard", "issue")
    plan = get_scored_plan_for(actor(request), pk)
    rows = services.scorecards_issue(actor=actor(request), plan=plan, period=payload.period,
                                     on=payload.on)  # fmt: skip
    return Status(201, {"plan_id": plan.pk, "period": payload.period, "issued": len(rows)})


class ScoreDecisionOut(Schema):
    id: int
    scorecard_id: int
    unit_id: int
    kind: str
    status: str
    reason: str
    amount: MoneyOut | None
    proposed_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_unit_id(obj) -> int:
        return obj.scorecard.unit_id


class ScoreDecisionFilters(ListFilters):
    kind: Text = Field("", max_length=16)
    status: Text = Field("", max_length=10)
    plan: Id | None = None
    unit: Id | None = None
    ordering: Ordering(DECISION_ORDERINGS) = "-proposed_at"  # type: ignore[valid-type]


list_endpoint(router, "/scorecard-decisions", ScoreDecisionOut, ScoreDecisionFilters, "scorecard",
              decision_list, name="score_decision_index",
              doc="Rewards and punishments you may read (a unit its own).")  # fmt: skip


class ScoreDecisionIn(Schema):
    scorecard: Id
    kind: Literal["commendation", "budget_reward", "interview", "criticism", "referral"]
    reason: Text = Field(max_length=4000)
    amount: Decimal | None = Field(None, gt=0, max_digits=20, decimal_places=2)


@router.post("/scorecard-decisions", response={201: ScoreDecisionOut, **ERRORS})
def score_decision_new(request: HttpRequest, payload: ScoreDecisionIn):
    """Propose a reward or punishment on an issued scorecard (the office); the head decides."""
    require_any(request, "scorecard", "propose")
    user = actor(request)
    sc = referenced("scorecard", "scorecard", get_issued_for, user, payload.scorecard)
    decision = services.decision_propose(actor=user, scorecard=sc, kind=payload.kind,
                                         reason=payload.reason, amount=payload.amount)  # fmt: skip
    return Status(201, decision)


@router.get("/scorecard-decisions/{pk}", response={200: ScoreDecisionOut, **ERRORS})
def score_decision_get(request: HttpRequest, pk: int):
    """One reward or punishment (404 for one you may not read)."""
    require_any(request, "scorecard", "view")
    return get_decision_for(actor(request), pk)
