"""API shapes for receipts, debts and allocations. Every amount is a decimal string."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import (
    BusinessDate,
    DecimalIn,
    DecimalOut,
    Id,
    ListFilters,
    Money,
    MoneyOut,
    Ordering,
    PositiveMoney,
    Text,
)
from panhuo.finance.debts.system import BondPurpose, LiabilityClass, ProjectSector, RepaymentFunds
from panhuo.finance.models import BudgetClass, DebtType, ReceiptKind
from panhuo.finance.selectors import ALLOCATION_ORDERINGS, DEBT_ORDERINGS, RECEIPT_ORDERINGS

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
    reverses_id: int | None = Field(None, description="Set on a reversal: the entry it undoes.")
    reason: str = ""


class ReceiptOut(Schema):
    id: int
    project_id: int
    amount: MoneyOut
    allocated: MoneyOut
    unallocated: MoneyOut
    received_on: dt.date
    voucher: str
    budget_class: BudgetClass
    kind: ReceiptKind
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


class ReceiptFilters(ListFilters):
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
    voided_at: dt.datetime | None = Field(None, description="Set when the debt was voided.")
    void_reason: str = ""
    liability_class: LiabilityClass = Field(
        description="Government debt counts in the statutory debt ratio; the broad ratio adds "
        "implicit debt; a contingent liability counts in neither."
    )
    borrower: str = Field("", description="The borrowing unit (债务单位).")
    borrower_credit_code: str = Field("", description="Its unified social credit code.")
    bond_code: str = Field("", description="The bond code (债券代码), unique per jurisdiction.")
    bond_purpose: BondPurpose | Literal[""] = Field(
        "", description="New, refinancing or replacement."
    )
    project_name: str = ""
    project_sector: ProjectSector | Literal[""] = ""
    repayment_source: RepaymentFunds | Literal[""] = Field(
        "", description="Where the money to repay it is to come from (偿还资金来源)."
    )


class DebtDetailOut(DebtOut):
    allocations: list[AllocationOut]
    repayments: list["RepaymentOut"] = Field(
        description="The repayment ledger: every entry that reduced (or restored) the debt."
    )


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
    liability_class: LiabilityClass | None = Field(
        None,
        description="Defaults from the type: bonds government debt, hidden debt implicit, "
        "the rest contingent.",
    )
    borrower: Text = Field("", max_length=200)
    borrower_credit_code: Text = Field(
        "",
        max_length=40,
        description="Unified social credit code; checked, with its check character.",
    )
    bond_code: Text = Field("", max_length=32)
    bond_purpose: BondPurpose | Literal[""] = ""
    project_name: Text = Field("", max_length=200)
    project_sector: ProjectSector | Literal[""] = ""
    repayment_source: RepaymentFunds | Literal[""] = ""


class DebtPatch(Schema):
    """Only the details sent are changed (the terms change by import or the schedule)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        None, description="The version you read; if the debt changed since, the answer is 409."
    )
    creditor: Text | None = Field(None, min_length=1, max_length=200)
    liability_class: LiabilityClass | None = None
    borrower: Text | None = Field(None, max_length=200)
    borrower_credit_code: Text | None = Field(None, max_length=40)
    bond_code: Text | None = Field(None, max_length=32)
    bond_purpose: BondPurpose | Literal[""] | None = None
    project_name: Text | None = Field(None, max_length=200)
    project_sector: ProjectSector | Literal[""] | None = None
    repayment_source: RepaymentFunds | Literal[""] | None = None


class DebtFilters(ListFilters):
    q: Text = ""
    debt_type: DebtType | None = None
    jurisdiction: Id | None = None
    liability_class: LiabilityClass | None = None
    bond_purpose: BondPurpose | None = None
    project_sector: ProjectSector | None = None
    repayment_source: RepaymentFunds | None = None
    open_only: bool = False
    voided: Literal["", "include", "only"] = Field(
        "", description='Voided debts are left out; "include" lists them too, "only" alone.'
    )
    ordering: DebtOrdering = "maturity_date"


class AllocationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    receipt: Id
    debt: Id
    amount: PositiveMoney
    allocated_on: dt.date | None = Field(None, description="Defaults to today.")


class AllocationFilters(ListFilters):
    """The allocations page's filters: ``q`` searches the receipt's voucher and project, the
    debt's code and creditor; ``entries`` keeps only allocations or only reversals."""

    receipt: Id | None = None
    debt: Id | None = None
    project: Id | None = None
    entries: Literal["allocations", "reversals"] | None = None
    allocated_from: dt.date | None = None
    allocated_to: dt.date | None = None
    ordering: AllocationOrdering = "-allocated_on"


# --- Schedules, strategies, risk, fiscal inputs, trace ----------------------------------------

Method = Literal["bullet", "equal_principal", "annuity", "custom"]
Frequency = Literal["annual", "semiannual", "quarterly", "monthly"]
Strategy = Literal["earliest_maturity", "highest_rate", "most_interest_saved"]


class ScheduleRowIO(Schema):
    model_config = ConfigDict(extra="forbid")

    due_date: dt.date
    principal: Money
    interest: Money = Decimal("0.00")


class ScheduleRowOut(Schema):
    due_date: dt.date
    principal: MoneyOut
    interest: MoneyOut


class ScheduleOut(Schema):
    debt_id: int
    rows: list[ScheduleRowOut]
    total_principal: MoneyOut
    total_interest: MoneyOut


class ScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    method: Method
    frequency: Frequency = "annual"
    rows: list[ScheduleRowIO] | None = Field(
        None, max_length=1200, description="Only for the custom method."
    )


class ReverseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=300)


class StrategyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    strategy: Strategy


class StrategyQuery(Schema):
    strategy: Strategy


class AllocationSuggestionOut(Schema):
    debt_id: int
    debt_code: str
    creditor: str
    maturity_date: dt.date
    rate: DecimalOut
    amount: MoneyOut


class IndicatorsQuery(Schema):
    jurisdiction: Id | None = Field(None, description="Defaults to the widest one visible.")
    as_of: BusinessDate | None = Field(
        None, description="Defaults to today; 1900-01-01 to 2100-12-31."
    )


class RiskThresholdsOut(Schema):
    debt_yellow: DecimalOut
    debt_orange: DecimalOut
    debt_red: DecimalOut
    overdue_initial: DecimalOut
    overdue_medium: DecimalOut
    overdue_severe: DecimalOut
    interest_trigger: DecimalOut


class RiskSettingsQuery(Schema):
    jurisdiction: Id


class RiskSettingsIn(Schema):
    """Percentages as decimal text ("150.00"); one left out keeps the MoF default."""

    model_config = ConfigDict(extra="forbid")

    use_earlier_fiscal_year: bool = False
    debt_yellow: str | None = None
    debt_orange: str | None = None
    debt_red: str | None = None
    overdue_initial: str | None = None
    overdue_medium: str | None = None
    overdue_severe: str | None = None
    interest_trigger: str | None = None


class RiskSettingsOut(RiskThresholdsOut):
    jurisdiction_id: int
    own: bool = Field(description="False: the nearest ancestor's settings or the defaults.")
    from_jurisdiction_id: int | None
    use_earlier_fiscal_year: bool


class IndicatorsOut(Schema):
    jurisdiction_id: int
    as_of: dt.date
    debts: int
    outstanding: MoneyOut | None
    government_debt: MoneyOut | None = Field(
        description="Statutory: the debts of the liability class government debt."
    )
    unsplit_debt: MoneyOut | None = Field(
        description="Government debt whose general/special split is not known."
    )
    broad_debt: MoneyOut | None = Field(
        description="Government debt with the liability class implicit debt."
    )
    fiscal_year: int | None = Field(description="The year whose fiscal figures were used.")
    capacity: MoneyOut | None
    debt_ratio: DecimalOut | None = Field(description="Statutory debt ratio, %.")
    debt_ratio_tier: str | None
    broad_debt_ratio: DecimalOut | None
    overdue: MoneyOut | None
    overdue_ratio: DecimalOut | None
    overdue_tier: str | None
    interest_next_year: MoneyOut | None
    interest_general: MoneyOut | None
    interest_special: MoneyOut | None
    budget_expenditure: MoneyOut | None
    fund_expenditure: MoneyOut | None
    interest_burden: DecimalOut | None = Field(
        description="General-bond interest due in the next 12 months ÷ budget expenditure, %."
    )
    interest_burden_special: DecimalOut | None = Field(
        description="Special-bond interest due in the next 12 months ÷ fund expenditure, %."
    )
    interest_trigger: bool
    weighted_rate: DecimalOut | None
    average_years_to_maturity: DecimalOut | None
    due_within_year: MoneyOut | None
    share_within_year: DecimalOut | None
    share_fixed: DecimalOut | None
    general_debt: MoneyOut | None
    special_debt: MoneyOut | None
    gdp: MoneyOut | None
    debt_to_gdp: DecimalOut | None = Field(description="Statutory debt ÷ GDP, %.")
    general_limit: MoneyOut | None
    special_limit: MoneyOut | None
    limit_use_general: DecimalOut | None = Field(description="General bonds ÷ their limit, %.")
    limit_use_special: DecimalOut | None = Field(description="Special bonds ÷ their limit, %.")
    limit_use_total: DecimalOut | None
    over_limit: bool = Field(description="A balance above its limit (allowed, flagged).")
    debt_source: str = Field(
        description='"register": the debts recorded; "reported": no register, the balances the '
        "place published for ``balance_date`` (the figures that need each debt are then null)."
    )
    balance_date: dt.date | None = Field(description="The year end of reported balances.")
    thresholds: RiskThresholdsOut
    notes: list[str]


class FiscalQuery(Schema):
    jurisdiction: Id
    year: int = Field(ge=1990, le=2100)


class FiscalInputsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    """Every figure may be left out (null): it is then missing, never zero. Capacity is the
    total given, or derived from its five parts when all are given."""

    comprehensive_fiscal_capacity: PositiveMoney | None = None
    general_budget_revenue: Money | None = None
    fund_revenue: Money | None = None
    state_capital_revenue: Money | None = None
    transfers_in: Money | None = None
    remittances_up: Money | None = None
    budget_expenditure: PositiveMoney | None = None
    fund_expenditure: PositiveMoney | None = None
    gdp: PositiveMoney | None = None
    general_debt_limit: PositiveMoney | None = None
    special_debt_limit: PositiveMoney | None = None
    general_debt_balance: Money | None = None
    special_debt_balance: Money | None = None


class FiscalInputsOut(Schema):
    jurisdiction_id: int
    year: int
    comprehensive_fiscal_capacity: MoneyOut | None
    capacity_source: str = Field(description='"entered", "derived" or "" (missing).')
    general_budget_revenue: MoneyOut | None
    fund_revenue: MoneyOut | None
    state_capital_revenue: MoneyOut | None
    transfers_in: MoneyOut | None
    remittances_up: MoneyOut | None
    budget_expenditure: MoneyOut | None
    fund_expenditure: MoneyOut | None
    gdp: MoneyOut | None
    general_debt_limit: MoneyOut | None
    special_debt_limit: MoneyOut | None
    general_debt_balance: MoneyOut | None = Field(
        description="Reported at the year end; read only where no debt register exists."
    )
    special_debt_balance: MoneyOut | None


class TraceQuery(Schema):
    asset: Id | None = None
    debt: Id | None = None
    receipt: Id | None = None


class TrailOut(Schema):
    asset: str
    asset_name: str
    package: str
    project: str
    project_status: str
    deal_price: MoneyOut | None
    receipt: str
    received_on: dt.date
    allocation: int
    allocated_on: dt.date
    amount: MoneyOut
    asset_share: DecimalOut
    debt: str
    creditor: str
    debt_type: str
    asset_id: int
    package_id: int
    project_id: int
    receipt_id: int
    debt_id: int


# --- Repayments -------------------------------------------------------------------------------

ManualSource = Literal["budget", "refinancing", "write_off"]


class RepaymentIn(Schema):
    """A repayment from the budget, refinancing bond proceeds, or a write-off by agreement."""

    model_config = ConfigDict(extra="forbid")

    source: ManualSource
    amount: PositiveMoney
    repaid_on: BusinessDate = Field(description="Not before issue, not in the future.")
    document: Text = Field(min_length=1, max_length=200, description="The document number.")
    note: Text = Field("", max_length=300)


class RepaymentOut(Schema):
    id: int
    debt_id: int
    source: str = Field(description="budget, refinancing, disposal, swap, write_off, opening")
    amount: MoneyOut
    signed_amount: MoneyOut = Field(description="Negative on a reversal.")
    repaid_on: dt.date
    document: str
    note: str
    allocation_id: int | None = None
    settlement_id: int | None = None
    reverses_id: int | None = Field(None, description="Set on a reversal: the entry it undoes.")
    recorded_by_id: int | None = None
    created_at: dt.datetime


class RepaymentFilters(Schema):
    source: Literal["budget", "refinancing", "disposal", "swap", "write_off", "opening"] | None = (
        None
    )


class VoidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=300)
