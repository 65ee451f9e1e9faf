"""Award-queue endpoints of the JSON API: a lot's queue (staff in scope: every place with the
bidder's name; a bidder: their own place), and the office's two steps on the offered award,
the signing (contract number) and the default (reason). Refusals name the field."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from panhuo.auctions import awards, selectors
from panhuo.auctions.api import _lot, _reader
from panhuo.auctions.award_models import Award, AwardStatus
from panhuo.core.errors import ValidationError
from panhuo.core.schemas import ERRORS, Id, MoneyOut, Text
from panhuo.organisation import policy

router = Router(tags=["auctions"])


class AwardOut(Schema):
    id: int
    rank: int
    bidder: str | None = Field(None, description="Staff only; a bidder sees their own place.")
    price: MoneyOut
    status: str
    status_label: str
    source: str
    offered_on: dt.date | None
    due_on: dt.date | None
    contract_no: str
    signed_on: dt.date | None


class SignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    contract_no: Text = Field(max_length=60)
    signed_on: dt.date | None = None


class DefaultIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(max_length=300)


def _out(award: Award, *, names: bool) -> dict:
    return {
        "id": award.pk, "rank": award.rank, "price": award.price, "status": award.status,
        "bidder": award.registration.bidder.name if names else None,
        "status_label": str(award.get_status_display()), "source": award.source,
        "offered_on": award.offered_on, "due_on": award.due_on,
        "contract_no": award.contract_no, "signed_on": award.signed_on,
    }  # fmt: skip


@router.get("/lots/{lot_id}/awards", response={200: list[AwardOut], **ERRORS})
def lot_awards(request: HttpRequest, lot_id: Id):
    """The lot's award queue: staff in scope see every place; a bidder only their own."""
    user = _reader(request)
    lot = _lot(user, lot_id)
    staff = policy.allowed(user, "lot", "view", jurisdiction=lot.jurisdiction)
    rows = Award.objects.filter(lot=lot).select_related("registration__bidder")
    if not staff:
        reg = selectors.registration_of(user, lot)
        rows = rows.filter(registration=reg) if reg else rows.none()
    return [_out(a, names=staff) for a in rows]


def _offered(request: HttpRequest, lot_id) -> tuple:
    user = _reader(request)
    lot = _lot(user, lot_id)
    policy.require(user, "lot", "award", jurisdiction=lot.jurisdiction)
    award = Award.objects.filter(lot=lot, status=AwardStatus.OFFERED).first()
    if award is None:
        raise ValidationError({"status": [_("No award of this lot is waiting for a signature.")]})
    return user, award


@router.post("/lots/{lot_id}/awards/sign", response={200: AwardOut, **ERRORS})
def lot_award_sign(request: HttpRequest, lot_id: Id, payload: SignIn):
    """The offered bidder signed: their deposit is applied, the queue released (office)."""
    user, award = _offered(request, lot_id)
    award = awards.award_sign(actor=user, award=award, contract_no=payload.contract_no,
                              signed_on=payload.signed_on)  # fmt: skip
    return _out(award, names=True)


@router.post("/lots/{lot_id}/awards/default", response={200: AwardOut, **ERRORS})
def lot_award_default(request: HttpRequest, lot_id: Id, payload: DefaultIn):
    """The offered bidder defaulted: the deposit is forfeited, the next offered (office)."""
    user, award = _offered(request, lot_id)
    award = awards.award_default(actor=user, award=award, reason=payload.reason)
    return _out(award, names=True)
