"""API shapes of the price stage. Every amount is a decimal string."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import (
    DecimalIn,
    DecimalOut,
    Id,
    ListFilters,
    MoneyOut,
    Ordering,
    PositiveMoney,
    Text,
)
from panhuo.pricing.models import AppraisalMethod, ValuationKind
from panhuo.pricing.selectors import VALUATION_ORDERINGS

ValuationOrdering = Ordering(VALUATION_ORDERINGS)
Fraction = DecimalIn(
    max_digits=7, places=4, minimum=Decimal(0), description='A fraction as decimal text, "0.12".'
)
Percent = DecimalIn(
    max_digits=5, places=2, minimum=Decimal(0), description='A percentage as decimal text, "90".'
)
Money = DecimalIn(
    minimum=Decimal(0),
    money=True,
    description='An amount as decimal text, e.g. "1000000.00", below 10^13 yuan.',
)
Multiple = DecimalIn(
    max_digits=6, places=2, minimum=Decimal(1), description='A multiple as decimal text, "5".'
)


class ValuationOut(Schema):
    id: int
    asset_id: int
    package_id: int | None
    kind: ValuationKind
    value: MoneyOut
    base_date: dt.date
    valid_until: dt.date | None
    method: str
    appraiser: str
    licence_number: str
    report_number: str
    stated_error: DecimalOut | None
    model_run_id: int | None
    created_by_id: int | None
    created_at: dt.datetime


class ValuationDetailOut(ValuationOut):
    inputs: dict
    note: str


class ValuationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    asset: Id
    package: Id | None = None
    kind: ValuationKind
    value: PositiveMoney
    base_date: dt.date
    valid_until: dt.date | None = Field(
        None, description="Defaults to the jurisdiction's validity for an appraisal (12 months)."
    )
    method: AppraisalMethod | None = None
    appraiser: Text = Field("", max_length=200)
    licence_number: Text = Field("", max_length=64)
    report_number: Text = Field("", max_length=64)
    inputs: dict = Field(default_factory=dict)
    stated_error: Fraction | None = None
    note: Text = Field("", max_length=2000)


class ValuationFilters(ListFilters):
    q: Text = ""
    kind: ValuationKind | None = None
    asset: Id | None = None
    package: Id | None = None
    current_only: bool = False
    ordering: ValuationOrdering = "-base_date"


class AssetAppraisalOut(Schema):
    asset_id: int
    appraisal: ValuationOut | None = Field(description="The latest valid appraisal, if any.")


class PackageAppraisalItem(Schema):
    asset_id: int
    asset_code: str
    appraisal: ValuationOut | None
    current: bool


class PackageAppraisalOut(Schema):
    package_id: int
    appraised_value: MoneyOut | None = Field(
        description="Sum of the assets' latest valid appraisals; null unless each has one."
    )
    assets: list[PackageAppraisalItem]


RuleClassName = Literal["administrative", "enterprise", "land"]


class PriceRulesOut(Schema):
    jurisdiction_id: int
    source_jurisdiction_id: int | None = Field(
        description="Whose rule set applies (this one or the nearest ancestor); null: defaults."
    )
    version: int | None
    appraisal_validity_months: int
    first_listing_reserve_pct: DecimalOut
    approval_floor_pct: DecimalOut
    reappraise_after_months: int
    disclosure_days: int
    disclosure_days_physical_mid: int
    physical_mid_from: MoneyOut
    physical_mid_to: MoneyOut
    disclosure_days_physical_high: int
    payment_full_days: int
    payment_down_pct: DecimalOut
    payment_rest_months: int
    notice_days: int
    plausible_low_pct: DecimalOut
    plausible_high_multiple: DecimalOut
    reference_rate_pct: DecimalOut
    land_announce_days: int
    land_listing_days: int
    finance_approval_above: MoneyOut
    rule_class: RuleClassName = Field(description="The rule-set class these thresholds are of.")
    law: str = Field(description="The law the class follows.")
    sources: dict[str, str] = Field(description="The legal source of each threshold.")
    law_minimums: dict[str, str] = Field(
        description="The law's bound on each threshold it bounds (a saved set may not be laxer)."
    )
    token_price_pct: DecimalOut
    lease_max_years: int
    lease_tender_rent: MoneyOut
    approval_days: int
    finance_approval_days: int


class PriceRulesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, description="The version you edited; 409 if changed.")
    appraisal_validity_months: int | None = Field(None, ge=1, le=120)
    first_listing_reserve_pct: Percent | None = None
    approval_floor_pct: Percent | None = None
    reappraise_after_months: int | None = Field(None, ge=1, le=120)
    disclosure_days: int | None = Field(None, ge=0, le=365)
    disclosure_days_physical_mid: int | None = Field(None, ge=0, le=365)
    physical_mid_from: Money | None = None
    physical_mid_to: Money | None = None
    disclosure_days_physical_high: int | None = Field(None, ge=0, le=365)
    payment_full_days: int | None = Field(None, ge=0, le=365)
    payment_down_pct: Percent | None = None
    payment_rest_months: int | None = Field(None, ge=0, le=120)
    notice_days: int | None = Field(None, ge=0, le=365)
    token_price_pct: Percent | None = Field(
        None, description="Below this % of the appraisal (or appraised rent): a give-away."
    )
    lease_max_years: int | None = Field(None, ge=1, le=70)
    lease_tender_rent: Money | None = Field(
        None, description="Yearly rent above which a lease goes to public tender (yuan)."
    )
    plausible_low_pct: Percent | None = None
    plausible_high_multiple: Multiple | None = None
    reference_rate_pct: Percent | None = None
    land_announce_days: int | None = Field(None, ge=0, le=365)
    land_listing_days: int | None = Field(None, ge=0, le=365)
    finance_approval_above: Money | None = None
    approval_days: int | None = Field(
        None, ge=0, le=365, description="Calendar days an approval takes (the optimiser's lead)."
    )
    finance_approval_days: int | None = Field(
        None, ge=0, le=365,
        description="Calendar days the finance bureau's approval takes above its threshold.",
    )  # fmt: skip
    rule_class: RuleClassName = Field(
        "enterprise",
        description="administrative (Decree 738), enterprise (Order 32) or land (MLR Order 39).",
    )
    sources: dict[str, Annotated[str, Field(max_length=300)]] | None = Field(
        None, description="The local source of thresholds set by local measures, by threshold."
    )


class RulesQuery(Schema):
    jurisdiction: Id
    rule_class: RuleClassName = "enterprise"


class AvmRunOut(Schema):
    id: int
    jurisdiction_id: int | None
    trained_at: dt.datetime
    method: str
    kinds: list[str]
    features: list[str]
    n_train: int
    n_test: int
    mape: DecimalOut
    median_ape: DecimalOut
    metrics: dict


class AvmTrainIn(Schema):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: Id
