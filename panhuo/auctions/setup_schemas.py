"""Bodies of the lot setup endpoints (``auctions.api``): a lot's terms (English, sealed-bid or
Dutch, times, increment, soft close, reserve shown or hidden, Dutch schedule), the same terms
to change before bidding opens, and a cancellation's reason. The shapes only: the services
(``auctions.terms``) judge the terms and name the field they refuse, in the caller's
language."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from panhuo.core.schemas import Money, PositiveMoney, Text

Kind = Literal["english", "sealed", "dutch"]
Tie = Literal["earliest", "drawing"]


class LotTermsPatch(Schema):
    """The terms to change; those not sent stay as they are."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = "english"
    start_price: PositiveMoney | None = None
    increment: PositiveMoney | None = Field(
        None, description="English: each bid's least raise (none for sealed-bid or Dutch)."
    )
    reserve: PositiveMoney | None = Field(
        None, description="Never below the round's reserve; null: the round's reserve."
    )
    reserve_public: bool = Field(True, description='False: bidders see only "reserve not met".')
    deposit_amount: Money = Decimal("0.00")
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    window_minutes: int = Field(5, ge=0, le=1440, description="Soft close: the last N minutes.")
    extension_minutes: int = Field(5, ge=0, le=1440, description="Soft close: extended by N.")
    opens_at: dt.datetime | None = Field(None, description="Sealed bid: the opening time.")
    tie_rule: Tie = "earliest"
    price_step: PositiveMoney | None = Field(None, description="Dutch: the fall at each interval.")
    step_minutes: int | None = Field(None, ge=1, le=1440, description="Dutch: the interval.")
    floor_price: PositiveMoney | None = Field(None, description="Dutch: the lowest price.")


class LotIn(LotTermsPatch):
    """A new lot's terms (soft close 5 and 5 minutes unless given)."""

    start_price: PositiveMoney
    start_at: dt.datetime
    end_at: dt.datetime


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=500, description="Why the lot is cancelled.")
