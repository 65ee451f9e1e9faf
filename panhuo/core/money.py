"""Showing amounts in the reader's unit (元, 万元, 亿元). Values stay Decimal throughout.

The unit of a page is the signed-in user's own choice (``User.money_unit``), made active for
their request by ``organisation.middleware.UserMoneyUnitMiddleware`` (as ``translation.activate``
does for the language) and reset after it; without a choice it is the site's
(``PANHUO["MONEY_UNIT"]``). Pages show two decimals in that unit; exports and the API always
give exact yuan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: A cent (分), the smallest amount, and zero yuan: the quanta every app rounds money to.
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

UNITS = {
    "yuan": (Decimal(1), _("yuan"), 2),
    "wan": (Decimal(10_000), _("10k yuan"), 2),
    "yi": (Decimal(100_000_000), _("100m yuan"), 2),
}
#: The units a person may choose to read amounts in (``User.money_unit``).
UNIT_CHOICES = [
    ("yuan", _("元 (yuan)")),
    ("wan", _("万元 (10,000 yuan)")),
    ("yi", _("亿元 (100,000,000 yuan)")),
]

#: The unit the current request's reader chose ("" = none: the site's unit).
_active: ContextVar[str] = ContextVar("panhuo_money_unit", default="")


def activate(unit: str):
    """Make ``unit`` the reader's unit in this context (a blank or unknown one: the site's);
    returns the token that ``deactivate`` takes to restore the previous one."""
    return _active.set(unit if unit in UNITS else "")


def deactivate(token) -> None:
    _active.reset(token)


@contextmanager
def override(unit: str) -> Iterator[None]:
    """Amounts in ``unit`` within the block (like ``translation.override``)."""
    token = activate(unit)
    try:
        yield
    finally:
        deactivate(token)


def chosen_unit() -> str:
    """The unit the reader chose ("" when they chose none)."""
    return _active.get()


def active_unit() -> str:
    """The unit amounts are shown in now: the reader's choice, else the site's."""
    return _active.get() or settings.PANHUO["MONEY_UNIT"]


def unit_label(unit: str = "") -> str:
    return str(UNITS[unit or active_unit()][1])


def in_display_unit(amount: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    divisor, _label, places = UNITS[active_unit()]
    return (Decimal(amount) / divisor).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def format_money(amount: Decimal | None) -> str:
    value = in_display_unit(amount)
    if value is None:
        return "—"
    return f"{value:,}"


def site_default_label() -> str:
    """The blank choice of a reader's unit: the site's, named ("Site default (10k yuan)")."""
    from django.utils.translation import gettext

    return gettext("Site default (%(unit)s)") % {"unit": unit_label(settings.PANHUO["MONEY_UNIT"])}


def with_unit(label, unit: str = "") -> str:
    """``label`` followed by the unit: "Book value (in 10k yuan)", "账面原值（单位：万元）"."""
    from django.utils.translation import gettext

    return gettext("%(label)s (in %(unit)s)") % {"label": label, "unit": unit_label(unit)}


# --- Amount input: 元, 万元 or 亿元, stated explicitly ---------------------------------------

#: The units an amount may be typed in, and the power of ten one of them is in yuan.
INPUT_EXPONENTS = {"yuan": 0, "wan": 4, "yi": 8}
INPUT_UNITS = {unit: Decimal(1).scaleb(e) for unit, e in INPUT_EXPONENTS.items()}
INPUT_UNIT_LABELS = {
    "yuan": _("元 (yuan)"),
    "wan": _("万元 (10,000 yuan)"),
    "yi": _("亿元 (100,000,000 yuan)"),
}
#: An amount in yuan has at most 2 decimal places, so one in 万元 at most 6, in 亿元 at most 10.
INPUT_PLACES = {unit: 2 + e for unit, e in INPUT_EXPONENTS.items()}


def input_unit() -> str:
    """The unit an amount box offers first: the reader's chosen unit, else yuan, what a form
    posted without a unit reads."""
    return chosen_unit() if chosen_unit() in INPUT_UNITS else "yuan"


class AmountUnitError(ValueError):
    """An amount that cannot be taken exactly in the given unit (the message says why)."""


def _exponent(unit: str) -> int:
    if unit not in INPUT_EXPONENTS:
        raise AmountUnitError(f"Unknown unit {unit!r}; yuan, wan or yi.")
    return INPUT_EXPONENTS[unit]


def to_yuan(amount: Decimal, unit: str) -> Decimal:
    """``amount`` typed in ``unit`` ("yuan", "wan" or "yi") as yuan, exactly (no rounding):
    1.2345 万元 is 12345.00 yuan, 0.0000000123 亿元 is 1.23 yuan; more places than a cent are
    refused, never rounded away."""
    exponent = _exponent(unit)
    amount = Decimal(amount)
    if not amount.is_finite():
        raise AmountUnitError("Not a finite amount.")
    yuan = amount.scaleb(exponent)
    if yuan != yuan.quantize(CENT):
        raise AmountUnitError(f"At most {INPUT_PLACES[unit]} decimal places in {unit}.")
    return yuan.quantize(CENT)


def from_yuan(yuan: Decimal, unit: str) -> Decimal:
    """``yuan`` expressed in ``unit``, exactly (a power-of-ten shift, never rounded)."""
    return Decimal(yuan).scaleb(-_exponent(unit))


# --- Percentages and dates as a debt office reports them ---------------------------------------

HUNDREDTH = Decimal("0.01")


def two_places(value) -> Decimal | None:
    """A percentage (or any ratio) as reported: two decimals, half up; None stays None (a
    missing figure is never 0.00)."""
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(HUNDREDTH, ROUND_HALF_UP)


def as_of_label(day) -> str:
    """The date a figure is taken at: "as of 2024-12-31" / "截至 2024年12月31日"."""
    from django.utils.dateformat import format as date_format
    from django.utils.translation import gettext, pgettext

    if day is None:
        return ""
    shown = date_format(day, pgettext("the date a figure is taken at", "Y-m-d"))
    return gettext("as of %(date)s") % {"date": shown}
