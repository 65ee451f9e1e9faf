"""API shapes of the site administrator's endpoints (admin_api.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from panhuo.core.schemas import Id, Ordering, Text
from panhuo.organisation.models import Jurisdiction, Role, Unit
from panhuo.organisation.schemas import JurisdictionOrdering, PlaceRef, UnitOrdering

# Literals, not the models' enums: in the OpenAPI document an enum is a component named after its
# class, and another app's "Kind" would take the place of Unit.Kind.
UnitKind = Literal[tuple(Unit.Kind.values)]  # type: ignore[valid-type]
Level = Literal[tuple(Jurisdiction.Level.values)]  # type: ignore[valid-type]
RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]

USER_ORDERINGS = {"username": "username", "joined": "date_joined", "name": "first_name"}
UserOrdering = Ordering(USER_ORDERINGS)


class Forbid(Schema):
    model_config = ConfigDict(extra="forbid")


class JurisdictionAdminOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    level: str
    parent_id: int | None
    path: str


class JurisdictionIn(Forbid):
    code: Text = Field(max_length=32, description="GB/T 2260 six-digit division code.")
    name: Text = Field(max_length=200, description="The official (Chinese) name.")
    name_en: Text = Field("", max_length=200)
    level: Level | None = Field(None, description="Optional: the code says it.")
    parent: Id = Field(description="Id of the jurisdiction it belongs to (one you administer).")


class JurisdictionPatch(Forbid):
    code: Text | None = Field(None, max_length=32)
    name: Text | None = Field(None, max_length=200)
    name_en: Text | None = Field(None, max_length=200)
    level: Level | None = None


class UnitAdminOut(Schema):
    id: int
    code: str
    credit_code: str
    name: str
    name_en: str
    kind: str
    jurisdiction_id: int
    supervisor_id: int | None


class UnitIn(Forbid):
    credit_code: Text = Field(
        max_length=40, description="Unified social credit code (GB 32100, 18 characters)."
    )
    code: Text = Field("", max_length=32, description="Internal code (default: the credit code).")
    name: Text = Field(max_length=200)
    name_en: Text = Field("", max_length=200)
    kind: UnitKind
    jurisdiction: Id = Field(description="Id of its jurisdiction (one you administer).")
    supervisor: Id | None = Field(None, description="Id of its supervising department (an organ).")


class UnitPatch(Forbid):
    credit_code: Text | None = Field(None, max_length=40)
    code: Text | None = Field(None, max_length=32)
    name: Text | None = Field(None, max_length=200)
    name_en: Text | None = Field(None, max_length=200)
    kind: UnitKind | None = None
    supervisor: Id | None = Field(None, description="Id of the supervising department; null: none.")


class GrantIn(Forbid):
    role: RoleName
    jurisdiction: Id | None = Field(None, description="Id of the jurisdiction (not for a unit).")
    unit: Id | None = Field(None, description="Id of the unit (unit asset officers only).")


class AssignmentOut(Schema):
    id: int
    role: str
    label: str
    jurisdiction: PlaceRef
    unit: PlaceRef | None
    started_at: dt.datetime
    ended_at: dt.datetime | None


def assignment_out(a) -> dict:
    return {
        "id": a.pk,
        "role": a.role,
        "label": str(Role(a.role).label),
        "jurisdiction": {"id": a.jurisdiction_id, "name": a.jurisdiction.name},
        "unit": {"id": a.unit_id, "name": a.unit.name} if a.unit_id else None,
        "started_at": a.started_at,
        "ended_at": a.ended_at,
    }


class UserAdminOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    language: str
    is_active: bool
    must_change_password: bool
    roles: list[AssignmentOut] = Field(description="The roles held now.")

    @staticmethod
    def resolve_roles(obj) -> list[dict]:
        if isinstance(obj, dict):
            return obj["roles"]
        current = obj.assignments.current().select_related("jurisdiction", "unit")
        return [assignment_out(a) for a in current.order_by("-started_at", "-pk")]


class UserDetailOut(UserAdminOut):
    history: list[AssignmentOut] = Field(description="Every role held, ended ones too.")


class UserIn(Forbid):
    username: Text = Field(max_length=150)
    first_name: Text = Field("", max_length=150)
    last_name: Text = Field("", max_length=150)
    email: Text = Field("", max_length=254)
    language: Text = Field("", max_length=10, description='"", "en" or "zh-hans".')
    roles: list[GrantIn] = Field(max_length=50, description="At least one role.")


class UserPatch(Forbid):
    first_name: Text | None = Field(None, max_length=150)
    last_name: Text | None = Field(None, max_length=150)
    email: Text | None = Field(None, max_length=254)


class PasswordOut(Schema):
    password: str = Field(
        description="The generated password, shown this once; it must be changed at sign-in."
    )


class UserCreatedOut(UserAdminOut):
    password: str = Field(description="The generated password, shown this once.")


class UserFilters(Schema):
    q: Text = ""
    active: bool | None = None
    role: RoleName | None = None
    jurisdiction: Id | None = Field(None, description="Holding a role there now.")
    ordering: UserOrdering = "username"


class PlaceFilters(Schema):
    q: Text = ""
    level: Level | None = None
    parent: Id | None = None
    ordering: JurisdictionOrdering = "path"


class UnitAdminFilters(Schema):
    q: Text = ""
    kind: UnitKind | None = None
    jurisdiction: Id | None = None
    ordering: UnitOrdering = "jurisdiction"
