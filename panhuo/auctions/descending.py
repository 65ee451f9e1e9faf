"""Dutch (descending) lots: the terms the notice sets, the floor gate, and the first bidder
taking the lot at the price of the moment.

- :func:`terms`: the step, the interval and the floor of a Dutch lot (none for another kind).
- :func:`floor_gate`: a floor below the approval floor (90 % of the appraisal by default) is
  refused by the price rules' gate (``pricing.gates.require_floor_approval``) unless the head's
  written approval of a price exception on the project covers it
  (``disposal.pricing_guard.written_approval``).
- :func:`dutch_take`: a verified, registered bidder with a confirmed deposit accepts the current
  price, read by the server's clock under the lot's row lock (``auctions.dutch``): the bid is
  appended at that price and the lot closes at once; a second taker finds it closed. A bidder
  may name the price they saw: if it is below the current price (it never is, unless typed
  wrong) the take is refused; if the price has fallen since, they pay the lower one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.auctions import bidding, dutch
from panhuo.auctions.engine import Row
from panhuo.auctions.models import Lot, LotKind
from panhuo.auctions.refusals import Refused
from panhuo.core.busy import retry_when_busy
from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ABOVE_ZERO, to_amount
from panhuo.disposal.pricing_guard import written_approval
from panhuo.integrity.services import audit_record
from panhuo.pricing import gates, rules
from panhuo.pricing.selectors import package_appraisal, thresholds_for_package

NO_TERMS = {"price_step": None, "step_minutes": None, "floor_price": None}


def terms(is_dutch: bool, start_price: Decimal, step: Any, minutes: Any, floor: Any) -> dict:
    """The Dutch terms, checked (each refusal names its field); empty for another kind."""
    if not is_dutch:
        return dict(NO_TERMS)
    step = to_amount(step, "price_step", sign=ABOVE_ZERO)
    floor = to_amount(floor, "floor_price", sign=ABOVE_ZERO)
    if not isinstance(minutes, int) or not 1 <= minutes <= 1440:
        raise ValidationError({"step_minutes": [_("Give a number of minutes from 1 to 1440.")]})
    if floor > start_price:
        raise ValidationError({"floor_price": [_("The floor cannot be above the starting price.")]})
    return {"price_step": step, "step_minutes": minutes, "floor_price": floor}


def floor_gate(project, floor: Decimal, on: dt.date) -> None:
    """Refuse a floor below the approval floor unless an approved price exception covers it."""
    appraised = package_appraisal(project.package, on=on).total
    if not appraised:
        return  # listing already required an appraisal; nothing to judge against
    t = thresholds_for_package(project.package)
    if not rules.needs_written_approval(price=floor, appraised=appraised, t=t):
        return
    gates.require_floor_approval(
        price=floor, appraised=appraised, approved=written_approval(project, floor), t=t,
        field="floor_price",
    )  # fmt: skip


def _clock(lot: Lot, at: dt.datetime) -> dict:
    return {
        "start_price": lot.start_price, "step": lot.price_step, "floor": lot.floor_price,
        "start_at": lot.start_at, "interval": lot.step, "now": at,
    }  # fmt: skip


def current_price(lot: Lot, at: dt.datetime) -> Decimal:
    """The Dutch lot's price at the server's time ``at``."""
    return dutch.price_at(**_clock(lot, at))


def next_drop(lot: Lot, at: dt.datetime) -> dt.datetime | None:
    return dutch.next_drop_at(**_clock(lot, at))


@retry_when_busy
def dutch_take(*, actor, lot_id: Any, price: Any = None) -> Lot:
    """Take Dutch lot ``lot_id`` at the current price as the signed-in bidder; it closes."""
    pk = bidding.lot_id_of(lot_id)
    seen = None if price in (None, "") else bidding.parse_amount(price)
    bidder = bidding.verified_bidder(actor)
    with bidding.closing_past_end(pk), transaction.atomic():
        lot = bidding.locked_lot(pk)
        if lot.kind != LotKind.DUTCH:
            raise Refused("not_dutch")
        registration = bidding.ready_registration(lot, bidder)
        at = bidding.open_now(lot)
        current = current_price(lot, at)
        if seen is not None and seen < current:
            raise Refused("price_moved", price=current)
        bids = bidding.append_rows(lot, [Row(registration.pk, current, current, False)], at)
        lot.price, lot.leader_id, lot.leader_max = current, registration.pk, current
        lot.version += 1
        lot.save(update_fields=["price", "leader", "leader_max", "bid_count", "version"])
        audit_record(
            actor=actor, action="lot.bid", obj=lot, jurisdiction_path=lot.jurisdiction.path,
            before={"price": None},
            after={"bids": [[b.seq, b.registration_id, str(b.amount), b.kind] for b in bids],
                   "price": str(current), "leader": lot.leader_id, "dutch": True,
                   "steps": dutch.steps_taken(lot.start_at, lot.step, at)},
        )  # fmt: skip
        from panhuo.auctions.services import _close

        _close(lot, at, actor)
    return lot
