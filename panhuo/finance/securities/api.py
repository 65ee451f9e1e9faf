"""API for what secures a debt: list, record, release and delete guarantees, collateral and
pledges, and the securities resting on an asset. Writes go through ``finance.securities``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from panhuo.core.api import actor, referenced, require_any
from panhuo.core.schemas import ERRORS, Id, MoneyOut, PositiveMoney, Text
from panhuo.finance.securities.services import (
    securities_of_asset,
    securities_of_debt,
    security_create,
    security_delete,
    security_release,
)
from panhuo.finance.selectors import get_debt_for
from panhuo.register.selectors import get_asset_for

router = Router()


class SecurityOut(Schema):
    id: int
    debt_id: int
    debt_code: str = Field(alias="debt.code")
    kind: Literal["guarantee", "collateral", "pledge"]
    guarantor: str
    asset_id: int | None
    asset_code: str | None = None
    amount: MoneyOut
    valid_from: dt.date
    valid_until: dt.date | None
    released_on: dt.date | None
    release_note: str
    note: str
    live: bool

    @staticmethod
    def resolve_asset_code(obj) -> str | None:
        return obj.asset.code if obj.asset_id else None

    @staticmethod
    def resolve_live(obj) -> bool:
        return obj.is_live()


class SecurityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["guarantee", "collateral", "pledge"]
    guarantor: Text = Field("", max_length=200, description="Only for a guarantee.")
    asset: Id | None = Field(None, description="Id of the asset (collateral or pledge).")
    amount: PositiveMoney
    valid_from: dt.date
    valid_until: dt.date | None = None
    note: Text = Field("", max_length=300)


class ReleaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    released_on: dt.date | None = Field(None, description="Default today.")
    note: Text = Field("", max_length=300)


def _security(request: HttpRequest, debt_id: int, security_id: int):
    debt = get_debt_for(actor(request), debt_id)
    return securities_of_debt(actor(request), debt).get(pk=security_id)


@router.get(
    "/debts/{debt_id}/securities", response={200: list[SecurityOut], **ERRORS}, tags=["debts"]
)
def debt_security_index(request: HttpRequest, debt_id: Id):
    """Guarantees, collateral and pledges securing a debt, live or released."""
    require_any(request, "debt", "view")
    user = actor(request)
    return list(securities_of_debt(user, get_debt_for(user, debt_id)))


@router.post("/debts/{debt_id}/securities", response={201: SecurityOut, **ERRORS}, tags=["debts"])
def debt_security_new(request: HttpRequest, debt_id: Id, payload: SecurityIn):
    """Record a guarantee (with its guarantor) or an asset as collateral or pledge; the asset
    must lie in the debt's jurisdiction. Needs the right to edit the debt."""
    require_any(request, "debt", "edit")
    user = actor(request)
    debt = get_debt_for(user, debt_id)
    asset = (
        referenced("asset", "asset", get_asset_for, user, payload.asset) if payload.asset else None
    )
    security = security_create(
        actor=user, debt=debt, kind=payload.kind, amount=payload.amount,
        valid_from=payload.valid_from, valid_until=payload.valid_until,
        guarantor=payload.guarantor, asset=asset, note=payload.note,
    )  # fmt: skip
    return Status(201, security)


@router.post(
    "/debts/{debt_id}/securities/{security_id}/release",
    response={200: SecurityOut, **ERRORS},
    tags=["debts"],
)
def debt_security_release(request: HttpRequest, debt_id: Id, security_id: Id, payload: ReleaseIn):
    """Record the creditor's release (e.g. consent to sell the asset): the asset may then be
    listed."""
    require_any(request, "debt", "edit")
    security = _security(request, debt_id, security_id)
    return security_release(
        actor=actor(request), security=security, released_on=payload.released_on,
        note=payload.note,
    )  # fmt: skip


@router.delete(
    "/debts/{debt_id}/securities/{security_id}", response={204: None, **ERRORS}, tags=["debts"]
)
def debt_security_delete(request: HttpRequest, debt_id: Id, security_id: Id):
    """Delete a security recorded in error (audited)."""
    require_any(request, "debt", "edit")
    security_delete(actor=actor(request), security=_security(request, debt_id, security_id))
    return Status(204, None)


@router.get(
    "/assets/{asset_id}/securities", response={200: list[SecurityOut], **ERRORS}, tags=["assets"]
)
def asset_security_index(request: HttpRequest, asset_id: Id):
    """The debts an asset secures (collateral or pledge), live or released."""
    asset = get_asset_for(actor(request), asset_id)
    return list(securities_of_asset(asset).select_related("asset"))
