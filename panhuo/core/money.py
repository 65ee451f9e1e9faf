"""Showing amounts in the configured unit (元, 万元, 亿元). Values stay Decimal throughout."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: A cent (分), the smallest amount, and zero yuan: the quanta every app rounds money to.
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

UNITS = {
    "yuan": (Decimal(1), _("yuan"), 2),
    "wan": (Decimal(10_000), _("10k yuan"), 2),
    "yi": (Decimal(100_000_000), _("100m yuan"), 4),
}


def unit_label() -> str:
    return str(UNITS[settings.PANHUO["MONEY_UNIT"]][1])


def in_display_unit(amount: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    divisor, _label, places = UNITS[settings.PANHUO["MONEY_UNIT"]]
    return (Decimal(amount) / divisor).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def format_money(amount: Decimal | None) -> str:
    value = in_display_unit(amount)
    if value is None:
        return "—"
    return f"{value:,}"


# --- Amount input: 元 or 万元, stated explicitly ----------------------------------------------

#: The units an amount may be typed in, and how many yuan one of them is.
INPUT_UNITS = {"yuan": Decimal(1), "wan": Decimal(10_000)}
INPUT_UNIT_LABELS = {"yuan": _("元 (yuan)"), "wan": _("万元 (10,000 yuan)")}
#: An amount in yuan has at most 2 decimal places, so one in 万元 at most 6.
INPUT_PLACES = {"yuan": 2, "wan": 6}


class AmountUnitError(ValueError):
    """An amount that cannot be taken exactly in the given unit (the message says why)."""


def to_yuan(amount: Decimal, unit: str) -> Decimal:
    """``amount`` typed in ``unit`` ("yuan" or "wan") as yuan, exactly (no rounding): 1.2345
    万元 is 12345.00 yuan; more places than a cent are refused, never rounded away."""
    if unit not in INPUT_UNITS:
        raise AmountUnitError(f"Unknown unit {unit!r}; yuan or wan.")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise AmountUnitError("Not a finite amount.")
    yuan = amount.scaleb(4) if unit == "wan" else amount
    if yuan != yuan.quantize(Decimal("0.01")):
        raise AmountUnitError(f"At most {INPUT_PLACES[unit]} decimal places in {unit}.")
    return yuan.quantize(Decimal("0.01"))


def from_yuan(yuan: Decimal, unit: str) -> Decimal:
    """``yuan`` expressed in ``unit``, exactly (a power-of-ten shift, never rounded)."""
    if unit not in INPUT_UNITS:
        raise AmountUnitError(f"Unknown unit {unit!r}; yuan or wan.")
    yuan = Decimal(yuan)
    return yuan.scaleb(-4) if unit == "wan" else yuan
