"""A lot's terms, checked the same way when it is set up (``services.lot_create``) and when it
is changed before bidding opens (``setup.lot_update``): first the terms on their own
(:func:`checked_terms`, each refusal naming its field), then against the round they are offered
on (:func:`placed_terms`, inside the caller's transaction with the project and round locked):
the disposal rules say a lot is offered only on the open round of a listed public-auction
project, never below the round's reserve, a Dutch floor only through the price rules' gate,
and only once the disclosure period has run in full on the day bidding opens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.auctions import descending
from panhuo.auctions.models import KINDS_OFFERED, LotKind, TieRule
from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ABOVE_ZERO, ZERO_OR_MORE, to_amount
from panhuo.core.money import CENT
from panhuo.disposal import periods
from panhuo.disposal.models import Channel, ListingRound, ProjectStatus

#: The terms a lot is set up with (and may be changed before bidding opens).
FIELDS = (
    "kind", "start_price", "increment", "reserve", "reserve_public", "deposit_amount",
    "start_at", "end_at", "window_minutes", "extension_minutes", "opens_at", "tie_rule",
    "price_step", "step_minutes", "floor_price",
)  # fmt: skip


def _aware(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: [_("Give a date and time.")]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def disclosure_gate(lot_round: ListingRound, day: dt.date) -> None:
    """Refuse bidding on ``day`` before the round's disclosure period has run in full (the
    deal gate of ``disposal.periods``: bidding is where the deal is struck)."""
    periods.check(lot_round.project, "conclude", {"concluded_on": day}, today=day)


def checked_terms(
    *, kind: Any, start_price: Any, increment: Any, start_at: Any, end_at: Any,
    reserve: Any = None, reserve_public: Any = True, deposit_amount: Any = 0,
    window_minutes: Any = 5, extension_minutes: Any = 5, opens_at: Any = None,
    tie_rule: Any = TieRule.EARLIEST, price_step: Any = None, step_minutes: Any = None,
    floor_price: Any = None,
) -> dict[str, Any]:  # fmt: skip
    """The terms as the lot stores them (``reserve`` still None when the round's applies). A
    sealed-bid lot names its opening time (at or after the end) and its tie rule and has no
    increment or soft close; a Dutch lot has its step, interval and floor and no soft close."""
    if kind not in KINDS_OFFERED:
        raise ValidationError({"kind": [_("Choose a kind of auction from the list.")]})
    sealed, dutch = kind == LotKind.SEALED, kind == LotKind.DUTCH
    start_price = to_amount(start_price, "start_price", sign=ABOVE_ZERO)
    if kind != LotKind.ENGLISH and increment in (None, ""):
        increment = CENT  # no increments in a sealed-bid or Dutch auction
    dutch_terms = descending.terms(dutch, start_price, price_step, step_minutes, floor_price)
    increment = to_amount(increment, "increment", sign=ABOVE_ZERO)
    deposit_amount = to_amount(deposit_amount or 0, "deposit_amount", sign=ZERO_OR_MORE)
    start_at, end_at = _aware(start_at, "start_at"), _aware(end_at, "end_at")
    if end_at <= start_at:
        raise ValidationError({"end_at": [_("Bidding ends after it opens.")]})
    if sealed:
        if opens_at in (None, ""):
            raise ValidationError({"opens_at": [_("A sealed-bid lot names its opening time.")]})
        opens_at = _aware(opens_at, "opens_at")
        if opens_at < end_at:
            raise ValidationError({"opens_at": [_("The bids are opened at or after the end.")]})
        if tie_rule not in TieRule.values:
            raise ValidationError({"tie_rule": [_("Choose a tie rule from the list.")]})
        window_minutes = extension_minutes = 0
    else:
        opens_at, tie_rule = None, TieRule.EARLIEST
    if dutch:
        window_minutes = extension_minutes = 0
    for field, minutes in (("window_minutes", window_minutes),
                           ("extension_minutes", extension_minutes)):  # fmt: skip
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 1440:
            raise ValidationError({field: [_("Give a number of minutes from 0 to 1440.")]})
    if reserve not in (None, ""):
        reserve = to_amount(reserve, "reserve", sign=ABOVE_ZERO)
    return {
        "kind": kind, "start_price": start_price, "increment": increment,
        "reserve": reserve or None, "reserve_public": bool(reserve_public),
        "deposit_amount": deposit_amount, "start_at": start_at, "end_at": end_at,
        "window_minutes": window_minutes, "extension_minutes": extension_minutes,
        "opens_at": opens_at, "tie_rule": tie_rule, **dutch_terms,
    }  # fmt: skip


def placed_terms(project, lot_round: ListingRound, terms: dict[str, Any]) -> dict[str, Any]:
    """``terms`` judged against their round (project and round locked by the caller): the
    reserve filled in (the round's when none is given; a Dutch lot's is its floor)."""
    if project.channel != Channel.AUCTION:
        raise ValidationError({"round": [_("Only a public-auction project has lots.")]})
    if project.status != ProjectStatus.LISTED or lot_round.result != "open":
        raise ValidationError(
            {"round": [_("A lot is set up on the open round of a listed project.")]}
        )
    terms = dict(terms)
    start_day = timezone.localdate(terms["start_at"])
    if terms["kind"] == LotKind.DUTCH:
        # The floor is the Dutch lot's reserve, judged by the price rules' floor gate.
        descending.floor_gate(project, terms["floor_price"], start_day)
        terms["reserve"] = terms["floor_price"]
    elif terms["reserve"] is None:
        terms["reserve"] = lot_round.reserve
    elif terms["reserve"] < lot_round.reserve:
        raise ValidationError(
            {"reserve": [_("The reserve cannot be below the round's reserve of %(r)s yuan.")
                         % {"r": lot_round.reserve}]}
        )  # fmt: skip
    disclosure_gate(lot_round, start_day)
    return terms
