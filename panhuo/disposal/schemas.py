"""API shapes for asset packages and disposal projects."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

from panhuo.core.schemas import (
    AmountIn,
    AmountUnit,
    DecimalIn,
    Id,
    ListFilters,
    MoneyOut,
    Ordering,
    PositiveAmountIn,
    PositiveMoney,
    Text,
    amounts_in_yuan,
)
from panhuo.disposal.channel_models import ApprovalBody, Art31Case, EvidenceKind, Frequency
from panhuo.disposal.models import Channel, Package, ProjectStatus
from panhuo.disposal.selectors import PACKAGE_ORDERINGS, PROJECT_ORDERINGS
from panhuo.disposal.workflow import TRANSITIONS

PackageOrdering = Ordering(PACKAGE_ORDERINGS)
ProjectOrdering = Ordering(PROJECT_ORDERINGS)
#: The transitions of the state machine table, by name.
TransitionName = StrEnum("TransitionName", {name: name for name in TRANSITIONS})


class PackageOut(Schema):
    id: int
    code: str
    name: str
    jurisdiction_id: int
    channel: Channel
    status: Package.Status
    created_by_id: int
    created_at: dt.datetime
    asset_count: int = Field(description="Derived from the package's assets.")
    total_book_value: MoneyOut | None
    total_appraised_value: MoneyOut | None


class ProjectRef(Schema):
    id: int
    code: str
    status: ProjectStatus


class PackageDetailOut(PackageOut):
    asset_ids: list[int]
    projects: list[ProjectRef]


class PackageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=200)
    jurisdiction: Id = Field(description="Id of the jurisdiction the package belongs to.")
    channel: Channel
    asset_ids: list[Id] = Field(default_factory=list, max_length=10_000)


class PackageAssetsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    asset_ids: list[Id] = Field(min_length=1, max_length=10_000)


class PackageFilters(ListFilters):
    q: Text = ""
    status: Package.Status | None = None
    channel: Channel | None = None
    ordering: PackageOrdering = "-created_at"


class ProjectOut(Schema):
    id: int
    code: str
    package_id: int
    channel: Channel
    reserve_price: MoneyOut
    deal_price: MoneyOut | None
    buyer: str
    status: ProjectStatus
    note: str
    created_by_id: int
    submitted_by_id: int | None
    approved_by_id: int | None
    state_since: dt.date | None
    due_on: dt.date | None = Field(description="When the current state's time limit ends.")
    due_provisional: bool = Field(
        description="due_on was counted through a year whose holiday calendar is not published "
        "yet (no library calendar, no loaded notice): it may move."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class TransitionOut(Schema):
    name: str
    label: str
    target: ProjectStatus
    needs_comment: bool
    needs_deal: bool

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.label)


class EventOut(Schema):
    transition: str
    from_status: ProjectStatus
    to_status: ProjectStatus
    actor_id: int
    actor_name: str
    comment: str
    at: dt.datetime

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return obj.actor.get_username()


class BlockedTransitionOut(Schema):
    name: str
    label: str
    reason: str


class RuleClassOut(Schema):
    code: str
    label: str
    law: str


class AppliedThresholdOut(Schema):
    name: str
    label: str
    value: str
    source: str = Field(description="The law and article (or local measure) it comes from.")


class AppliedRulesOut(Schema):
    classes: list[RuleClassOut] = Field(
        description="The rule-set class(es) of the package's assets: administrative (Decree "
        "738), enterprise (Order 32), land-use rights (MLR Order 39)."
    )
    strictest_of_each: bool = Field(
        description="The package mixes classes: each threshold is the strictest of theirs."
    )
    approval_authority: str = Field(
        description="Administrative assets: who approves the disposal by its value under the "
        "local limit (finance_approval_above): finance_bureau or department; '' otherwise."
    )
    thresholds: list[AppliedThresholdOut]


class ProjectDetailOut(ProjectOut):
    rule_set: AppliedRulesOut = Field(description="The price rules applied, with their sources.")
    available_transitions: list[TransitionOut] = Field(
        description="What the caller can take now: allowed by the state machine and their "
        "roles, and held back by no other rule (an approval chain, money still due)."
    )
    blocked_transitions: list[BlockedTransitionOut] = Field(
        default_factory=list,
        description="Steps the caller's roles allow from this state that another rule holds "
        "back now, each with the reason (the project page shows them disabled).",
    )
    events: list[EventOut]
    flags: list[str] = Field(
        default_factory=list,
        description="Integrity flags on the project: single_bidder (a round sold to the one "
        "qualified bidder; the sale counts as negotiated).",
    )


UNIT_FIELD = Field(
    "yuan",
    description='The unit of the amounts in this body: "yuan" (元, the default), "wan" '
    '(万元 = 10,000 yuan) or "yi" (亿元 = 100,000,000 yuan); they are converted to yuan exactly.',
)
CONFIRM_FIELD = Field(
    False,
    description="Confirm an amount held as implausible (gate amount_implausible: below half "
    "the appraisal or above a plausible multiple of it); the confirmation is recorded.",
)


class ProjectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    package: Id
    reserve_price: AmountIn = Field(
        description="Above zero; 0 for a free transfer, scrapping, loss or write-off."
    )
    unit: AmountUnit = UNIT_FIELD
    confirm_amount: bool = CONFIRM_FIELD
    channel: Channel | None = Field(None, description="Defaults to the package's channel.")
    note: Text = Field("", max_length=10_000)

    @model_validator(mode="after")
    def _in_yuan(self):
        return amounts_in_yuan(self, ("reserve_price",))


class ProjectPatch(Schema):
    """Only a draft may change; only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    reserve_price: PositiveAmountIn | None = None
    unit: AmountUnit = UNIT_FIELD
    confirm_amount: bool = CONFIRM_FIELD
    channel: Channel | None = None
    note: Text | None = Field(None, max_length=10_000)
    version: int | None = Field(
        None,
        description="The version you read: if someone changed the project since, 409 and "
        "nothing is written.",
    )

    @model_validator(mode="after")
    def _in_yuan(self):
        return amounts_in_yuan(self, ("reserve_price",))


Rate = DecimalIn(max_digits=6, places=3, minimum=Decimal(0), description='Percent, e.g. "3.150".')


class TrancheIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100)
    size: PositiveMoney
    rate: Rate


#: Text a relisting may clear by giving "" (left out, the current round's is kept).
CLEARABLE = frozenset({"buyer_conditions", "conditions_basis"})


class TransitionIn(Schema):
    """One step of the project's channel table; each step reads the fields it needs."""

    model_config = ConfigDict(extra="forbid")

    transition: TransitionName
    comment: Text = Field("", max_length=10_000)
    unit: AmountUnit = UNIT_FIELD
    confirm_amount: bool = CONFIRM_FIELD
    deal_price: PositiveAmountIn | None = Field(
        None, description="conclude, transfer (value), agree_swap (agreed value)."
    )
    buyer: Text = Field("", max_length=200, description="conclude; issue (the vehicle).")
    listed_on: dt.date | None = Field(
        None, description="list, relist, redisclose (default today; a past date needs a comment)."
    )
    disclosure_ends: dt.date | None = Field(
        None, description="list, relist, redisclose (default the minimum); extend_listing."
    )
    concluded_on: dt.date | None = Field(
        None, description="conclude (auction, exchange): the deal day (default today)."
    )
    published_on: dt.date | None = Field(
        None, description="publish_result: the day the notice went up (default today)."
    )
    platform: Text = Field("", max_length=200, description="list, relist.")
    announced_on: dt.date | None = Field(
        None,
        description="list, relist, redisclose of land-use rights: the day the announcement "
        "was published, at least 20 days before the listing (MLR Order 39 art. 11).",
    )
    buyer_conditions: Text | None = Field(
        None,
        max_length=2000,
        description="list, relist, redisclose: conditions on buyers (a relisting keeps the "
        "current ones unless given). Enterprise assets: only with conditions_basis (Order 32 "
        "art. 51).",
    )
    conditions_basis: Text | None = Field(
        None, max_length=300, description="The law, regulation or rule that requires them."
    )
    reserve_price: PositiveAmountIn | None = Field(
        None, description="relist: the reduced reserve; redisclose: at the new appraisal."
    )
    bidders: int | None = Field(None, ge=0, le=100_000, description="conclude (auction).")
    counterparty_unit: Id | None = Field(
        None, description="submit (negotiated), transfer: a state-owned company unit."
    )
    counterparty: Text = Field(
        "", max_length=200, description="submit (negotiated): a name; sign: the tenant."
    )
    counterparty_soe: bool = Field(False, description="The named counterparty is state-owned.")
    debt: Id | None = Field(None, description="agree_swap: the creditor's debt.")
    tranches: list[TrancheIn] = Field(default_factory=list, max_length=50)
    term_start: dt.date | None = None
    term_end: dt.date | None = Field(None, description="sign; renew: the new end.")
    period_amount: PositiveAmountIn | None = Field(None, description="Rent or fee per period.")
    frequency: Frequency | None = None
    deposit: AmountIn | None = None
    tender_ref: Text = Field(
        "", max_length=200, description="sign (lease): the public tender notice, if required."
    )
    art31_case: Art31Case | None = Field(
        None, description="submit (negotiated): the Order 32 art. 31 case."
    )
    approval_body: ApprovalBody | None = Field(
        None, description="conclude (negotiated): who approved (the case's approver)."
    )
    approval_ref: Text = Field("", max_length=100, description="conclude (negotiated).")
    approval_on: dt.date | None = Field(None, description="conclude (negotiated).")
    counterparty_credit_code: Text = Field(
        "", max_length=40, description="submit (free transfer): the recipient's credit code."
    )
    evidence_kind: EvidenceKind | None = Field(
        None, description="submit (scrap, loss, write-off): what proves it."
    )
    evidence_ref: Text = Field("", max_length=100, description="The evidence's number.")
    evidence_issuer: Text = Field("", max_length=200, description="Who issued the evidence.")
    evidence_on: dt.date | None = None

    @model_validator(mode="after")
    def _in_yuan(self):
        return amounts_in_yuan(self, ("deal_price", "reserve_price", "period_amount", "deposit"))

    def channel_data(self) -> dict:
        """The channel fields that were given, for ``project_transition``."""
        data = self.dict(
            exclude={"transition", "comment", "deal_price", "buyer", "unit", "confirm_amount"}
        )
        return {
            k: v
            for k, v in data.items()
            if v is not None and v is not False and (v not in ("", []) or k in CLEARABLE)
        }


class ProjectFilters(ListFilters):
    q: Text = ""
    status: ProjectStatus | None = None
    channel: Channel | None = None
    package: Id | None = None
    ordering: ProjectOrdering = "-created_at"


class RoundOut(Schema):
    number: int
    platform: str
    listed_on: dt.date
    reserve: MoneyOut
    disclosure_ends: dt.date | None
    announced_on: dt.date | None
    buyer_conditions: str
    conditions_basis: str
    result: str
    bidders: int | None
    single_bidder: bool = Field(
        description="Sold with one qualified bidder: flagged, counts as a negotiated sale."
    )
    deal_price: MoneyOut | None
    buyer: str
    ended_on: dt.date | None


class ExpectedOut(Schema):
    id: int
    due_date: dt.date
    kind: str
    label: str
    amount: MoneyOut
    paid: MoneyOut = Field(description="Receipts matched in due-date order.")
    due: MoneyOut
    state: str = Field(description="paid, part_paid, open or arrears.")


class OverdueProjectOut(Schema):
    id: int
    code: str
    channel: Channel
    status: ProjectStatus
    due_on: dt.date
    due_provisional: bool
    days_overdue: int
    deadline: str = Field(description="Which time limit ran out (disclosure_due, payment_due…).")
    next_steps: list[str]


class BoardCard(Schema):
    id: int
    code: str
    channel: Channel
    jurisdiction_id: int
    due_on: dt.date | None
    due_provisional: bool
    overdue: bool


class BoardColumn(Schema):
    state: ProjectStatus
    label: str
    count: int
    projects: list[BoardCard]


class BoardFilters(Schema):
    channel: Channel | None = None
    jurisdiction: Id | None = None


class PriceExceptionIn(Schema):
    """A request for the head's written approval of a reserve or deal price below the floor."""

    model_config = ConfigDict(extra="forbid")

    amount: PositiveMoney = Field(
        description="The lowest relisting reserve or deal price the approval is to cover."
    )
    reason: Text = Field(min_length=1, max_length=10_000, description="Why the price is low.")


class PriceExceptionOut(Schema):
    """The approval request opened (purpose price_exception); decided under /approvals."""

    id: int = Field(description="The approval request's id (GET /api/v1/approvals/{id}).")
    project_id: int
    status: str
    amount: MoneyOut | None
    reason: str
    chain_name: str
    current_step: int
    step_count: int
    requested_by_id: int
    created_at: dt.datetime

    @staticmethod
    def resolve_project_id(obj) -> int:
        return obj.object_id
