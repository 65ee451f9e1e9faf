"""Showing amounts in the configured unit (元, 万元, 亿元). Values stay Decimal throughout."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

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
