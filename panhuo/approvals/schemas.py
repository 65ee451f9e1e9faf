"""API shapes of approval requests, chains and delegations."""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.approvals.models import ApprovalStatus, Outcome
from panhuo.approvals.selectors import CHAIN_ORDERINGS, REQUEST_ORDERINGS
from panhuo.core.schemas import Id, ListFilters, Money, MoneyOut, Ordering, Text

RequestOrdering = Ordering(REQUEST_ORDERINGS)
ChainOrdering = Ordering(CHAIN_ORDERINGS)


class DecisionOut(Schema):
    step: int
    actor_id: int
    actor_name: str
    on_behalf_of_id: int | None
    on_behalf_of_name: str | None
    outcome: Outcome
    comment: str
    at: dt.datetime

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return obj.actor.get_username()

    @staticmethod
    def resolve_on_behalf_of_name(obj) -> str | None:
        return obj.on_behalf_of.get_username() if obj.on_behalf_of_id else None


class RequestOut(Schema):
    id: int
    purpose: str
    object_type: str
    object_id: int
    object_repr: str
    amount: MoneyOut | None
    channel: str
    jurisdiction_id: int
    chain_id: int | None
    chain_name: str
    steps: list[list[str]] = Field(description="The roles that may decide each step, in order.")
    current_step: int
    status: ApprovalStatus
    requested_by_id: int
    reason: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_object_type(obj) -> str:
        return obj.content_type.app_label + "." + obj.content_type.model


class RequestDetailOut(RequestOut):
    decisions: list[DecisionOut]
    can_decide: bool = Field(description="Whether the caller may decide the current step now.")
    decide_as: int | None = Field(
        None, description="The delegator the caller would decide for (None: in their own right)."
    )
    why_not: str = Field("", description="Why the caller may not decide, when they may not.")
    acting: list[str] = Field(
        default_factory=list, description="Who may take the current step (usernames)."
    )
    documents_missing: list[str] = Field(
        default_factory=list,
        description="Document kinds the record still needs before the last step is approved.",
    )
    appraisal: MoneyOut | None = Field(None, description="The record's appraisal, if known.")
    ratio_pct: MoneyOut | None = Field(None, description="The amount as a % of the appraisal.")


class RequestFilters(ListFilters):
    q: Text = ""
    status: ApprovalStatus | None = None
    purpose: Text = ""
    mine: bool = Field(
        False, description="Only the pending requests the caller may decide now (the inbox)."
    )
    ordering: RequestOrdering = "-created_at"


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    comment: Text = Field("", max_length=10_000, description="Required to reject.")
    version: int | None = Field(None, description="The version you read (409 if it moved on).")
    step: int | None = Field(
        None, ge=1, description="The step you decide (409 if someone decided it meanwhile)."
    )


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", max_length=10_000)


class ChainOut(Schema):
    id: int
    jurisdiction_id: int
    purpose: str
    channel: str = Field(description="Blank: any channel.")
    min_amount: MoneyOut
    name: str
    steps: list[list[str]]
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_steps(obj) -> list[list[str]]:
        return obj.step_roles()


class ChainIn(Schema):
    """Create a chain, or replace the one with the same jurisdiction, purpose, channel and
    threshold."""

    model_config = ConfigDict(extra="forbid")

    jurisdiction: Id
    purpose: Text = Field(min_length=1, max_length=32)
    channel: Text = Field("", max_length=16, description="Blank: any channel.")
    min_amount: Money = Field("0.00", description="Applies to amounts of at least this.")
    name: Text = Field("", max_length=200)
    steps: list[list[Text]] = Field(
        min_length=1, max_length=10, description='Roles per step, e.g. [["head", "deputy"]].'
    )


class DelegationFilters(ListFilters):
    mine: bool = Field(False, description="Only those given or received by the caller.")


class ChainFilters(ListFilters):
    purpose: Text = ""
    jurisdiction: Id | None = None
    ordering: ChainOrdering = "jurisdiction"


class DelegationOut(Schema):
    id: int
    from_user_id: int
    from_user_name: str
    to_user_id: int
    to_user_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    purposes: list[str] = Field(description="Empty: every purpose.")
    reason: str
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_from_user_name(obj) -> str:
        return obj.from_user.get_username()

    @staticmethod
    def resolve_to_user_name(obj) -> str:
        return obj.to_user.get_username()


class DelegationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_user: Text = Field(min_length=1, max_length=150, description="The delegate's username.")
    starts_at: dt.datetime = Field(description="With its time zone, e.g. 2026-12-01T08:00+08:00.")
    ends_at: dt.datetime
    purposes: list[Text] = Field(default_factory=list, max_length=20)
    reason: Text = Field("", max_length=200)
