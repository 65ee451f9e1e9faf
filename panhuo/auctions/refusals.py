"""Why a bid, a registration or a match is refused: one sentence per reason, in the caller's
language (the messages are translated when raised, in the language the request activated)."""

from __future__ import annotations

from functools import lru_cache

from django.utils.formats import number_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from panhuo.core.errors import ValidationError

MESSAGES = {
    "no_lot": ("lot", _("There is no such lot.")),
    "amount": (
        "amount",
        _("Give the amount as a number of yuan above zero, at most two decimals."),
    ),
    "too_low": (
        "amount",
        _("The bid must be at least %(minimum)s yuan (the current price plus the increment)."),
    ),
    "not_above_own": (
        "amount",
        _(
            "You are already leading with a maximum of %(maximum)s yuan; a new maximum must "
            "be higher."
        ),
    ),
    "closed": ("lot", _("Bidding on this lot has closed.")),
    "not_open": ("lot", _("Bidding on this lot opens at %(start)s.")),
    "unregistered": ("lot", _("Only a registered bidder may bid: register as a bidder first.")),
    "not_verified": (
        "lot",
        _("Your registration as a bidder has not been verified by the office yet."),
    ),
    "not_registered": ("lot", _("You are not registered for this lot: register for it first.")),
    "no_deposit": ("lot", _("Your deposit for this lot has not been confirmed by finance yet.")),
    "already_registered": ("lot", _("You are already registered for this lot.")),
    "registration_closed": ("lot", _("Registration for this lot has closed.")),
    "conditions": (
        "accept_conditions",
        _("Confirm that you meet the conditions on buyers the notice sets."),
    ),
    "nothing_to_match": ("lot", _("There is no winning bid to match.")),
    "already_leading": ("lot", _("You already hold the winning bid.")),
    "reserve_not_met": ("lot", _("The reserve was not met: there is no sale to match.")),
    "not_holder": ("lot", _("You hold no priority purchase right on this lot.")),
    "already_matched": ("lot", _("The winning bid has already been matched.")),
    "not_closed": ("lot", _("The top bid can be matched only after bidding has closed.")),
    "not_sealed": ("lot", _("This is not a sealed-bid lot.")),
    "sealed_only": (
        "lot",
        _("This lot takes sealed bids only: submit your bid sealed, once, before the end."),
    ),
    "dutch_only": (
        "lot",
        _("This lot is a Dutch auction: accept the current price rather than bid."),
    ),
    "not_dutch": ("lot", _("This is not a Dutch auction lot.")),
    "price_moved": (
        "price",
        _("The price is now %(price)s yuan: accept the current price, not a lower one."),
    ),
    "sealed_too_low": (
        "amount",
        _("A sealed bid must be at least the starting price of %(minimum)s yuan."),
    ),
    "already_sealed": (
        "lot",
        _("You have already submitted your sealed bid on this lot; it cannot be changed."),
    ),
    "sealed_unreadable": (
        "lot",
        _(
            "Sealed bids cannot be read before they are opened: the opening is at %(opens)s, "
            "after two different officers confirm it. This attempt has been recorded."
        ),
    ),
    "opening_early": (
        "lot",
        _("The bids cannot be opened before %(opens)s and the close of bidding."),
    ),
    "same_officer": (
        "lot",
        _("You have already confirmed the opening: a second, different officer must confirm."),
    ),
    "already_opened": ("lot", _("The bids of this lot have already been opened.")),
}


class Refused(ValidationError):
    """A refusal with its reason ``code``, naming the field (``lot``, ``amount``…)."""

    def __init__(self, code: str, **params) -> None:
        field, message = MESSAGES[code]
        shown = {k: _shown(v) for k, v in params.items()}
        super().__init__({field: [str(message) % shown if shown else str(message)]})
        self.reason = code


def _shown(value):
    if hasattr(value, "tzinfo"):
        return localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    try:
        return _amount(value, get_language())
    except (TypeError, ValueError):
        return value


@lru_cache(maxsize=1024)
def _amount(value, language: str | None) -> str:
    """``value`` as the active ``language`` writes an amount (the key: the format is its). Kept:
    the refusals of a hot lot name the same minimum until the price moves, and formatting cost
    ~0.06 ms each time."""
    return number_format(value, decimal_pos=2, force_grouping=True)


class PastEnd(Refused):
    """ "Closed": a bid on a lot still open or scheduled whose end has passed by the server's
    clock, which the worker has not closed yet (``bidding.closing_past_end`` closes it)."""

    def __init__(self) -> None:
        super().__init__("closed")
