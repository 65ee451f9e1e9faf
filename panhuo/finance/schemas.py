"""API shapes for receipts, debts and allocations. Every amount is a decimal string."""

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import (
    DecimalIn,
    DecimalOut,
    Id,
    Money,
    MoneyOut,
    Ordering,
    PositiveMoney,
    Text,
)
from panhuo.finance.models import BudgetClass, DebtType
from panhuo.finance.selectors import DEBT_ORDERINGS, RECEIPT_ORDERINGS

#: Allocations have no selector ordering table; these are the columns a list may sort by.
ALLOCATION_ORDERINGS = {"allocated_on": "allocated_on", "amount": "amount", "id": "pk"}
DebtOrdering = Ordering(DEBT_ORDERINGS)
ReceiptOrdering = Ordering(RECEIPT_ORDERINGS)
AllocationOrdering = Ordering(ALLOCATION_ORDERINGS)
Rate = DecimalIn(
    max_digits=6,
    places=3,
    minimum=Decimal(0),
    description='Annual interest rate in percent as decimal text, e.g. "3.25".',
)


class AllocationOut(Schema):
    id: int
    receipt_id: int
    debt_id: int
    amount: MoneyOut
    allocated_on: dt.date
    allocated_by_id: int
    created_at: dt.datetime


class ReceiptOut(Schema):
    id: int
    project_id: int
    amount: MoneyOut
    allocated: MoneyOut
    unallocated: MoneyOut
    received_on: dt.date
    voucher: str
    budget_class: BudgetClass
    recorded_by_id: int
    created_at: dt.datetime


class ReceiptDetailOut(ReceiptOut):
    allocations: list[AllocationOut]


class ReceiptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    project: Id = Field(description="Id of the concluded disposal project that was paid.")
    amount: PositiveMoney
    received_on: dt.date
    voucher: Text = Field(min_length=1, max_length=64)
    budget_class: BudgetClass


class ReceiptFilters(Schema):
    q: Text = ""
    budget_class: BudgetClass | None = None
    project: Id | None = None
    unallocated_only: bool = False
    ordering: ReceiptOrdering = "-received_on"


class DebtOut(Schema):
    id: int
    code: str
    jurisdiction_id: int
    creditor: str
    debt_type: DebtType
    principal: MoneyOut
    rate: DecimalOut
    issue_date: dt.date
    maturity_date: dt.date
    outstanding: MoneyOut
    created_at: dt.datetime
    version: int


class DebtDetailOut(DebtOut):
    allocations: list[AllocationOut]


class DebtIn(Schema):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: Id = Field(description="Id of the jurisdiction that owes the debt.")
    code: Text | None = Field(None, max_length=32, description="Generated when left out.")
    creditor: Text = Field(min_length=1, max_length=200)
    debt_type: DebtType
    principal: PositiveMoney
    rate: Rate
    issue_date: dt.date
    maturity_date: dt.date
    outstanding: Money | None = Field(None, description="Defaults to the principal.")


class DebtFilters(Schema):
    q: Text = ""
    debt_type: DebtType | None = None
    jurisdiction: Id | None = None
    open_only: bool = False
    ordering: DebtOrdering = "maturity_date"


class AllocationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    receipt: Id
    debt: Id
    amount: PositiveMoney
    allocated_on: dt.date | None = Field(None, description="Defaults to today.")


class AllocationFilters(Schema):
    receipt: Id | None = None
    debt: Id | None = None
    ordering: AllocationOrdering = "-allocated_on"
