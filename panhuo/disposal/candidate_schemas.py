"""API shapes of the package pickers: the confirmed scope's candidates and the package
suggestions made from them (``disposal.candidates``, ``disposal.suggestions``)."""

from decimal import Decimal

from ninja import Schema
from pydantic import Field

from panhuo.core.api import UnitFilter
from panhuo.core.schemas import Id, MoneyOut, Ordering, PositiveMoney, Text
from panhuo.disposal.candidates import CANDIDATE_ORDERINGS
from panhuo.register.models import AssetKind

CandidateOrdering = Ordering(CANDIDATE_ORDERINGS)


class CandidateFilters(Schema):
    q: Text = ""
    kind: AssetKind | None = None
    unit: UnitFilter | None = None
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")
    ordering: CandidateOrdering = "code"


class CandidateOut(Schema):
    id: int
    code: str
    name: str
    kind: AssetKind
    unit_id: int
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    area: Decimal | None
    book_value: MoneyOut
    appraised_value: MoneyOut | None
    status: str
    scope_decision_id: int | None = Field(description="The decision that put it in scope.")
    scope_reasons: list[str]


class SuggestionFilters(Schema):
    radius_km: float = Field(2.0, gt=0, le=100, description="Group within this distance (km).")
    kind: AssetKind | None = None
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")
    max_size: int = Field(10, ge=2, le=500)
    max_value: PositiveMoney | None = Field(None, description="Bound on a group's value.")


class PackageSuggestionOut(Schema):
    key: str
    rule: str = Field(description="radius, address (no coordinates) or unit (neither).")
    reason: str
    jurisdiction_id: int
    kinds: list[str]
    asset_ids: list[int]
    asset_codes: list[str]
    count: int
    total_book_value: MoneyOut
    total_appraised_value: MoneyOut
    unappraised: int = Field(description="Assets without an appraisal (not in the total).")
    total_area: Decimal
    spread_km: float


def suggestion_out(s) -> dict:
    return {
        "key": s.key, "rule": s.rule, "reason": s.reason,
        "jurisdiction_id": s.seed.jurisdiction_id, "kinds": s.kinds, "asset_ids": s.asset_ids,
        "asset_codes": [i.code for i in s.items], "count": s.count,
        "total_book_value": s.total_book_value, "total_appraised_value": s.total_appraised_value,
        "unappraised": s.unappraised, "total_area": s.total_area,
        "spread_km": round(s.spread_km, 3),
    }  # fmt: skip
