"""API shapes of the scope: rules, proposals, decisions and their items."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import Id, ListFilters, Money, MoneyOut, Text

# --- Scope -------------------------------------------------------------------------------------


class JurisdictionQuery(Schema):
    jurisdiction: Id = Field(description="Id of the jurisdiction.")


class ProposalFilters(JurisdictionQuery):
    included: bool | None = Field(None, description="true: candidates only; false: exclusions.")


class ProposalAssetOut(Schema):
    id: int
    code: str
    name: str
    unit: str = Field(description="The holding unit's code.")

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class ProposalOut(Schema):
    asset: ProposalAssetOut
    included: bool
    reasons: list[str] = Field(description="Why it is in (or the reasons it is out).")


class ScopeRulesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    min_idle_months: int = Field(ge=0, le=1200)
    include_under_used: bool
    exclude_supporting: bool
    require_clear_title: bool
    require_unencumbered: bool
    min_value: Money


class ScopeRulesOut(Schema):
    jurisdiction: int
    inherited_from: int | None = Field(
        description="Id of the jurisdiction whose rules apply here; null: the defaults."
    )
    min_idle_months: int
    include_under_used: bool
    exclude_supporting: bool
    require_clear_title: bool
    require_unencumbered: bool
    min_value: MoneyOut
    updated_at: dt.datetime | None


class ScopeDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: Id
    include: list[Id] | None = Field(
        None,
        max_length=1_000_000,
        description="The candidates confirmed (default: every candidate of the rules).",
    )
    note: Text = Field("", max_length=2000)


class ScopeDecisionFilters(ListFilters):
    jurisdiction: Id | None = None
    date_from: dt.date | None = Field(None, description="Decided on or after this day.")
    date_to: dt.date | None = Field(None, description="Decided on or before this day.")


class JurisdictionRefOut(Schema):
    id: int
    code: str
    name: str


class ScopeDecisionOut(Schema):
    id: int
    jurisdiction: JurisdictionRefOut
    decided_by: str
    decided_at: dt.datetime
    note: str
    rules: dict[str, Any]
    included_count: int
    excluded_count: int

    @staticmethod
    def resolve_decided_by(obj) -> str:
        return obj.decided_by.get_username()


class ScopeDecisionItemOut(Schema):
    asset: ProposalAssetOut
    included: bool
    reasons: list[str]


class ScopeDecisionDetailOut(ScopeDecisionOut):
    items: list[ScopeDecisionItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return obj.items_list
