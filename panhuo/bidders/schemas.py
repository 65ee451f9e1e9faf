"""API shapes of the bidders' endpoints."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.bidders.models import BidderKind, BidderStatus, RelationKind
from panhuo.bidders.selectors import BIDDER_ORDERINGS
from panhuo.core.schemas import Id, ListFilters, Ordering, Text

BidderOrdering = Ordering(BIDDER_ORDERINGS)


class BidderRelationOut(Schema):
    id: int
    kind: RelationKind
    who: str
    unit_id: int | None
    declared_at: dt.datetime


class BidderRelationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: RelationKind
    who: Text = Field(min_length=1, max_length=300, description="Of whom: name and post.")
    unit: Id | None = Field(None, description="The unit, if it is one of Panhuo's units.")


class BidderOut(Schema):
    id: int
    user_id: int
    kind: BidderKind
    name: str
    id_number: str
    credit_code: str
    phone: str
    address: str
    bank_name: str
    bank_account: str
    jurisdiction_id: int
    status: BidderStatus
    reason: str = Field(description="The office's reason for its last decision.")
    registered_at: dt.datetime
    decided_at: dt.datetime | None
    relations: list[BidderRelationOut]

    @staticmethod
    def resolve_relations(obj) -> list:
        return list(obj.relations.all())


class BidderDetailsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: BidderKind
    name: Text = Field(max_length=200)
    id_number: Text = Field("", max_length=30, description="A person's resident ID number.")
    credit_code: Text = Field(
        "", max_length=30, description="A company's unified social credit code."
    )
    phone: Text = Field(max_length=32)
    address: Text = Field(max_length=300)
    bank_name: Text = Field("", max_length=100)
    bank_account: Text = Field("", max_length=40)


class BidderDetailsPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: BidderKind | None = None
    name: Text | None = Field(None, max_length=200)
    id_number: Text | None = Field(None, max_length=30)
    credit_code: Text | None = Field(None, max_length=30)
    phone: Text | None = Field(None, max_length=32)
    address: Text | None = Field(None, max_length=300)
    bank_name: Text | None = Field(None, max_length=100)
    bank_account: Text | None = Field(None, max_length=40)


class BidderSignUpIn(BidderDetailsIn):
    """A new account and its registration in one (public)."""

    username: Text = Field(max_length=150)
    password: Text = Field(max_length=128)
    email: Text = Field("", max_length=254)
    language: Literal["", "en", "zh-hans"] = ""
    jurisdiction: Id = Field(description="The place whose office verifies the registration.")


class BidderFilters(ListFilters):
    q: Text = Field("", description="Name, number, phone or user name contains.")
    status: BidderStatus | None = None
    kind: BidderKind | None = None
    related: Literal["yes", "no"] | None = Field(None, description="Relations declared or not.")
    jurisdiction: Id | None = Field(None, description="This jurisdiction and those below it.")
    ordering: BidderOrdering = "-registered_at"  # type: ignore[valid-type]


class BidderTransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: BidderStatus = Field(description="The status to move to, by the transitions table.")
    reason: Text = Field("", max_length=500, description="Needed to reject or suspend.")
