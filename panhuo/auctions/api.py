"""Auctions endpoints of the JSON API: lots (the public state: price, end by the server's
clock, extension, status), a bidder's registration and bids, the bid history published with
the result (bidders pseudonymised), and the office's setup of a lot (set up on a listed
project's open round, changed or cancelled before bidding opens: who may is
``("lot", "create")`` in the project's place, others are refused before the record is read, a
place the caller cannot see answers 404). Refusals carry the reason in the caller's language.
The setup routes live here, not in a router of their own: ninja answers 405 to a second
router's method on a path the first already has (``/lots/{lot_id}``)."""

import datetime as dt
import json
import typing
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.responses import NinjaJSONEncoder
from pydantic import ConfigDict

from panhuo.auctions import bidding, descending, sealed, selectors, services, setup
from panhuo.auctions.refusals import Refused
from panhuo.auctions.setup_schemas import CancelIn, LotIn, LotTermsPatch
from panhuo.core.api import PagePagination, ReferenceMissing, actor
from panhuo.core.errors import ValidationError
from panhuo.core.schemas import ERRORS, Id, ListFilters, MoneyOut, Text, money_text
from panhuo.disposal.selectors import get_project_for
from panhuo.organisation import policy

router = Router(tags=["auctions"])


class LotOut(Schema):
    id: int
    project: str
    round: int
    kind: str
    status: str
    status_label: str
    start_price: MoneyOut
    increment: MoneyOut
    price: MoneyOut | None
    minimum_bid: MoneyOut
    reserve: MoneyOut | None = Field(None, description="Only when the reserve is public.")
    reserve_met: bool
    deposit: MoneyOut
    start_at: dt.datetime
    planned_end_at: dt.datetime
    end_at: dt.datetime = Field(description="The end now, by the server's clock.")
    extensions: int
    window_minutes: int
    extension_minutes: int
    bids: int
    server_time: dt.datetime
    accepting_bids: bool
    single_bidder: bool
    opens_at: dt.datetime | None = Field(None, description="Sealed bid: the opening time.")
    tie_rule: str
    opened: bool = Field(description="Sealed bid: the bids have been opened.")
    floor_price: MoneyOut | None = Field(None, description="Dutch: the lowest the price falls.")
    price_step: MoneyOut | None = Field(None, description="Dutch: the fall at each interval.")
    step_minutes: int | None = Field(None, description="Dutch: the interval in minutes.")
    next_drop_at: dt.datetime | None = Field(
        None, description="Dutch: when the price next falls, by the server's clock."
    )


def _is_money(annotation, metadata) -> bool:
    if any(getattr(m, "func", None) is money_text for m in metadata):
        return True
    return any(_is_money(a, getattr(a, "__metadata__", ())) for a in typing.get_args(annotation))


#: LotOut's fields and which of them are money (written as text with cents).
_LOT_FIELDS = [(name, field, _is_money(field.annotation, field.metadata))
               for name, field in LotOut.model_fields.items()]  # fmt: skip


#: What the API's renderer (ninja's JSONRenderer) answers with.
JSON = "application/json; charset=utf-8"


def lot_answer_data(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` (``selectors.public_lot_state``) as ``LotOut`` dumps it, without validating it
    again: what a bid answers, on the hot path (validating and dumping the answer through the
    schema was ~8 % of a bid request's CPU). ``test_lot_answer`` holds it to the schema's."""
    data = {}
    for name, field, money in _LOT_FIELDS:
        value = state[name] if name in state or field.is_required() else field.get_default()
        data[name] = money_text(value) if money and value is not None else value
    return data


class LotFilters(ListFilters):
    status: str = Field("", max_length=10)
    ordering: str = Field("-start_at", max_length=20)


class BidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: str | int = Field(
        description='Your maximum bid in yuan as decimal text, e.g. "120000.00": the service '
        "bids for you one increment at a time up to it."
    )


class RegistrationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    accept_conditions: bool = Field(False, description="You meet the notice's conditions.")


class RegistrationOut(Schema):
    id: int
    lot_id: int
    deposit_id: int | None
    priority_holder: bool


class OwnBidOut(Schema):
    seq: int
    kind: str
    amount: MoneyOut
    maximum: MoneyOut
    placed_at: dt.datetime


class HistoryOut(Schema):
    seq: int
    bidder: Text
    amount: MoneyOut
    kind: str
    placed_at: dt.datetime


class TakeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    price: str | None = Field(
        None, description="The price you saw (optional): refused if the current price is higher."
    )


class SealedReceiptOut(Schema):
    lot_id: int
    digest: str = Field(description="SHA-256 of your sealed bid as stored: your receipt.")
    received_at: dt.datetime


class SealedOut(Schema):
    seq: int
    bidder: Text
    amount: MoneyOut
    placed_at: dt.datetime
    digest: str
    winner: bool


def _reader(request: HttpRequest):
    user = actor(request)
    if selectors.bidder_for(user) is None and not policy.can_any(user, "lot", "view"):
        raise policy.NotPermitted(policy.refusal("lot", "view", one=False))
    return user


def _bidder_of(request: HttpRequest):
    """The caller and their bidder row (read once): staff and others are refused (403) with
    the reason, as ``_reader`` would refuse them first."""
    user = actor(request)
    bidder = selectors.bidder_for(user)
    if bidder is None:
        if not policy.can_any(user, "lot", "view"):
            raise policy.NotPermitted(policy.refusal("lot", "view", one=False))
        raise policy.NotPermitted(
            _("Only a registered bidder may bid: register as a bidder first.")
        )
    return user, bidder


def _bidder(request: HttpRequest):
    """The caller as a bidder: staff and others are refused (403) with the reason."""
    return _bidder_of(request)[0]


def _lot(user, lot_id):
    try:
        return selectors.get_lot_for(user, lot_id)
    except ObjectDoesNotExist:
        raise ReferenceMissing("lot", _("There is no such lot.")) from None


@router.get("/lots", response={200: list[LotOut], **ERRORS})
@paginate(PagePagination)
def lot_index(request: HttpRequest, filters: Query[LotFilters]):
    """Lots the caller may read (staff: their places; a bidder: every lot)."""
    user = _reader(request)
    qs = selectors.lot_list(user, q=filters.q, status=filters.status,
                            ordering=filters.sort or filters.ordering)  # fmt: skip
    return [selectors.public_lot_state(lot) for lot in qs]


@router.get("/lots/{lot_id}", response={200: LotOut, **ERRORS})
def lot_detail(request: HttpRequest, lot_id: Id):
    """The lot as anyone may know it now (closed first if its end has passed)."""
    lot = services.lot_closed_if_past(_lot(_reader(request), lot_id))
    return selectors.public_lot_state(lot)


@router.post("/lots/{lot_id}/registrations", response={201: RegistrationOut, **ERRORS})
def lot_register(request: HttpRequest, lot_id: Id, payload: RegistrationIn):
    """Register for the lot as the signed-in bidder; the deposit falls due."""
    user = _bidder(request)
    lot = _lot(user, lot_id)
    reg = services.lot_register(actor=user, lot_id=lot.pk,
                                accept_conditions=payload.accept_conditions)  # fmt: skip
    return Status(201, reg)


@router.post("/lots/{lot_id}/bids", response={200: LotOut, **ERRORS})
def lot_bid(request: HttpRequest, lot_id: Id, payload: BidIn):
    """Place a bid (your maximum). Refused with the reason: below the current price plus the
    increment, after the close, not registered, no confirmed deposit."""
    user, bidder = _bidder_of(request)
    # A bidder may read every lot, so the service's own read of the lot (under its lock)
    # is the existence check: a missing lot is 404, as for any other lot route.
    try:
        lot = bidding.bid_place(actor=user, lot_id=lot_id, amount=payload.amount, bidder=bidder)
    except Refused as refusal:
        if refusal.reason == "no_lot":
            raise ReferenceMissing("lot", _("There is no such lot.")) from None
        raise
    data = lot_answer_data(selectors.public_lot_state(lot))
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), content_type=JSON)


@router.get("/lots/{lot_id}/bids", response={200: list[OwnBidOut], **ERRORS})
def lot_own_bids(request: HttpRequest, lot_id: Id):
    """The caller's own bids on the lot (with their maximum)."""
    user = _reader(request)
    lot = _lot(user, lot_id)
    return list(selectors.own_bids(selectors.registration_of(user, lot)))


@router.get("/lots/{lot_id}/history", response={200: list[HistoryOut], **ERRORS})
def lot_history(request: HttpRequest, lot_id: Id):
    """The bid history, published with the result (empty before), bidders pseudonymised."""
    user = _reader(request)
    return selectors.public_history(_lot(user, lot_id))


@router.post("/lots/{lot_id}/sealed-bids", response={201: SealedReceiptOut, **ERRORS})
def lot_sealed_bid(request: HttpRequest, lot_id: Id, payload: BidIn):
    """Submit your sealed bid (once, before the end): it is encrypted when received and no one
    can read it before the opening; you get its receipt (time and digest)."""
    user = _bidder(request)
    lot = _lot(user, lot_id)
    return Status(201, sealed.sealed_bid_place(actor=user, lot_id=lot.pk, amount=payload.amount))


@router.get("/lots/{lot_id}/sealed-receipt", response={200: list[SealedReceiptOut], **ERRORS})
def lot_sealed_receipt(request: HttpRequest, lot_id: Id):
    """Your own sealed bid as received (time and digest, never an amount); empty if none."""
    user = _reader(request)
    lot = _lot(user, lot_id)
    receipt = sealed.own_receipt(selectors.registration_of(user, lot))
    return [receipt] if receipt is not None else []


@router.get("/lots/{lot_id}/sealed-bids", response={200: list[SealedOut], **ERRORS})
def lot_sealed_bids(request: HttpRequest, lot_id: Id):
    """The sealed bids' amounts, after the opening only. Before it every caller is refused
    (403, with the reason) and the attempt is written to the audit log."""
    user = _reader(request)
    lot = _lot(user, lot_id)
    names = policy.allowed(user, "lot", "view", jurisdiction=lot.jurisdiction)
    return sealed.sealed_read(actor=user, lot=lot, via="api", names=names)


@router.post("/lots/{lot_id}/opening", response={200: LotOut, **ERRORS})
def lot_opening(request: HttpRequest, lot_id: Id):
    """Confirm the opening of a sealed-bid lot (office, after the opening time); the second
    confirmation, by a different officer, opens the bids and records the result."""
    user = _reader(request)
    lot = _lot(user, lot_id)
    return selectors.public_lot_state(sealed.opening_confirm(actor=user, lot_id=lot.pk))


@router.post("/lots/{lot_id}/take", response={200: LotOut, **ERRORS})
def lot_take(request: HttpRequest, lot_id: Id, payload: TakeIn):
    """Dutch auction: take the lot at the current price (by the server's clock); the first
    bidder to take it wins and bidding closes."""
    user = _bidder(request)
    lot = _lot(user, lot_id)
    lot = descending.dutch_take(actor=user, lot_id=lot.pk, price=payload.price)
    return selectors.public_lot_state(lot)


# --- Setup by the office: a lot set up, changed or cancelled before bidding opens.


def _office(request: HttpRequest):
    user = actor(request)
    if not policy.can_any(user, "lot", "create"):
        raise policy.NotPermitted(policy.refusal("lot", "create", one=False))
    return user


def _office_lot(request: HttpRequest, lot_id):
    user = _office(request)
    try:
        lot = selectors.get_lot_for(user, lot_id)
    except ObjectDoesNotExist:
        raise ReferenceMissing("lot", _("There is no such lot.")) from None
    policy.require(user, "lot", "create", jurisdiction=lot.jurisdiction)
    return user, lot


@router.post("/projects/{project_id}/lot", response={201: LotOut, **ERRORS})
def lot_new(request: HttpRequest, project_id: Id, payload: LotIn):
    """Set up the lot of the project's open listing round."""
    user = _office(request)
    try:
        project = get_project_for(user, project_id)
    except ObjectDoesNotExist:
        raise ReferenceMissing("project", _("There is no such project.")) from None
    policy.require(user, "lot", "create", jurisdiction=project.jurisdiction)
    lot_round = project.rounds.filter(result="open").order_by("-number").first()
    if lot_round is None:
        raise ValidationError(
            {"round": [_("A lot is set up on the open round of a listed project.")]}
        )
    lot = services.lot_create(actor=user, round=lot_round, **payload.dict())
    return Status(201, selectors.public_lot_state(lot))


@router.patch("/lots/{lot_id}", response={200: LotOut, **ERRORS})
def lot_change(request: HttpRequest, lot_id: Id, payload: LotTermsPatch):
    """Change the lot's terms before bidding opens (kind and deposit stay once a bidder has
    registered)."""
    user, lot = _office_lot(request, lot_id)
    lot = setup.lot_update(actor=user, lot=lot, changes=payload.dict(exclude_unset=True))
    return selectors.public_lot_state(lot)


@router.post("/lots/{lot_id}/cancel", response={200: LotOut, **ERRORS})
def lot_cancel_now(request: HttpRequest, lot_id: Id, payload: CancelIn):
    """Cancel a lot before bidding opens; the deposits finance holds are refunded."""
    user, lot = _office_lot(request, lot_id)
    return selectors.public_lot_state(setup.lot_cancel(actor=user, lot=lot, reason=payload.reason))
