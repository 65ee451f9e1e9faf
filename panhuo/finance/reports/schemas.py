"""API shapes of the money reports and the deposit ledger. Every amount is a decimal string."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import Id, ListFilters, MoneyOut, PositiveMoney, Text
from panhuo.finance.deposits.models import DepositStatus
from panhuo.finance.expected_models import ExpectedKind
from panhuo.finance.schemas import Rate

OverdueOrdering = Literal[
    "working_days_overdue", "-working_days_overdue", "days_overdue", "-days_overdue",
    "outstanding", "-outstanding", "due_date", "-due_date",
    "project", "-project", "jurisdiction", "-jurisdiction",
]  # fmt: skip


class OverdueFilters(Schema):
    q: Text = Field("", description="Project code, buyer or label contains.")
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")
    kind: ExpectedKind | None = None
    min_days: int | None = Field(
        None, ge=0, le=100000, description="At least this many working days overdue."
    )
    ordering: OverdueOrdering = "-working_days_overdue"


class OverdueReceiptOut(Schema):
    expected_id: int
    project_id: int
    project_code: str
    buyer: str
    jurisdiction_id: int
    jurisdiction_name: str
    kind: str
    label: str
    due_date: dt.date
    amount: MoneyOut
    paid: MoneyOut
    outstanding: MoneyOut
    days_overdue: int = Field(description="Calendar days since the due date.")
    working_days_overdue: int = Field(
        description="Working days of the jurisdiction's calendar since the due date."
    )


class ReconciliationQuery(Schema):
    granularity: Literal["month", "quarter", "year"] = "month"
    start: dt.date | None = Field(None, description="Defaults to 1 January of this year.")
    end: dt.date | None = Field(None, description="Defaults to today.")
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")


class PeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date
    opening: MoneyOut = Field(description="Unallocated at the start of the period.")
    received: MoneyOut
    received_by_kind: dict[str, MoneyOut]
    received_by_class: dict[str, MoneyOut]
    allocated: MoneyOut
    reversed: MoneyOut
    net_allocated: MoneyOut = Field(description="Allocated less reversed: repaid to debts.")
    repaid_by_type: dict[str, MoneyOut]
    closing: MoneyOut = Field(description="Unallocated at the end of the period.")
    deposits_held: MoneyOut = Field(description="Bidders' deposits held at the period's end.")
    reconciles: bool


class ReconciliationOut(Schema):
    granularity: str
    start: dt.date
    end: dt.date
    jurisdiction_id: int | None
    reconciles: bool
    rows: list[PeriodOut]
    totals: PeriodOut


class PlanRowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    due_date: dt.date
    amount: PositiveMoney


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    rows: list[PlanRowIn] = Field(
        description="The payment in full, or the down payment first and then the instalments."
    )
    interest_rate: Rate | None = Field(
        None,
        description="Interest on the deferred part, % a year: not below the price rules' "
        "reference rate (1-year LPR by default).",
    )
    security_kind: Literal["guarantee", "pledge", "mortgage"] | None = Field(
        None, description="The security of the deferred part (instalments need one)."
    )
    security_reference: Text = Field(
        "", max_length=200, description="The security's document number or reference."
    )


class PlanLineOut(Schema):
    expected_id: int
    due_date: dt.date
    label: str
    amount: MoneyOut
    paid: MoneyOut
    outstanding: MoneyOut
    state: Literal["paid", "part_paid", "open", "arrears"]
    overdue: bool
    working_days_late: int


class PlanOut(Schema):
    project_id: int
    deal_price: MoneyOut | None
    rows: list[PlanLineOut]


DepositOrdering = Literal[
    "received_on", "-received_on", "amount", "-amount", "bidder", "-bidder", "status", "-status",
    "voucher", "-voucher", "project", "-project", "closed_on", "-closed_on",
]  # fmt: skip


class DepositFilters(ListFilters):
    q: Text = Field("", description="Bidder, voucher or project code contains.")
    status: DepositStatus | None = None
    project: Id | None = None
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")
    ordering: DepositOrdering = "-received_on"


class DepositOut(Schema):
    id: int
    project_id: int
    round_id: int | None
    party_id: int | None = Field(None, description="The registered bidder, if any.")
    bidder: str
    amount: MoneyOut
    received_on: dt.date | None
    voucher: str
    status: DepositStatus
    closed_on: dt.date | None
    reason: str
    receipt_id: int | None = Field(None, description="The receipt a forfeit or application made.")
    recorded_by_id: int
    created_at: dt.datetime


class DepositIn(Schema):
    model_config = ConfigDict(extra="forbid")

    project: Id
    round: Id | None = Field(None, description="The listing round of the project it is for.")
    bidder: Text = Field(min_length=1, max_length=200)
    amount: PositiveMoney
    received_on: dt.date
    voucher: Text = Field(min_length=1, max_length=60)


class DepositStepIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["refund", "forfeit", "apply", "confirm"]
    on: dt.date | None = Field(None, description="Defaults to today.")
    reason: Text = Field("", max_length=300, description="Required to forfeit.")
