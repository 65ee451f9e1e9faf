"""API shapes for people, places and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import Id, Ordering, Text
from panhuo.organisation.models import Jurisdiction, Unit

JURISDICTION_ORDERINGS = {"path": "path", "code": "code", "name": "name"}
UNIT_ORDERINGS = {
    "jurisdiction": "jurisdiction__path",
    "code": "code",
    "name": "name",
    "kind": "kind",
}
JurisdictionOrdering = Ordering(JURISDICTION_ORDERINGS)
UnitOrdering = Ordering(UNIT_ORDERINGS)


class JurisdictionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    jurisdiction_id: int


class PlaceRef(Schema):
    id: int
    name: str


class RoleOut(Schema):
    role: str
    label: str
    jurisdiction: PlaceRef
    unit: PlaceRef | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    language: str
    money_unit: str = Field(
        description='The unit the pages show amounts in: "yuan" (元), "wan" (万元), "yi" (亿元), '
        'or "" for the site\'s. The API itself always answers in yuan, as decimal text.'
    )
    roles: list[RoleOut]
    permissions: list[str] = Field(
        description='What the user may do somewhere, as "resource.action" (e.g. "asset.edit").'
    )


class MePatch(Schema):
    """The caller's own preferences; a field left out is left as it is."""

    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(None, description='Interface language code, e.g. "zh-hans".')
    money_unit: Literal["", "yuan", "wan", "yi"] | None = Field(
        None,
        description='The unit the pages show amounts in ("" = the site\'s); the API and '
        "exports stay in yuan.",
    )


class TokenOut(Schema):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The key: shown this once, only its SHA-256 is kept.")


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100)


class JurisdictionFilters(Schema):
    q: Text = ""
    level: Jurisdiction.Level | None = None
    ordering: JurisdictionOrdering = "path"


class UnitFilters(Schema):
    q: Text = ""
    kind: Unit.Kind | None = None
    jurisdiction: Id | None = None
    ordering: UnitOrdering = "jurisdiction"
