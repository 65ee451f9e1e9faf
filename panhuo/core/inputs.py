"""Reading the values a service is handed (text from a form or a payload, or Python objects),
refusing what is not one with a ``ValidationError`` that names the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panhuo.core.bounds import amount_problem
from panhuo.core.errors import ValidationError
from panhuo.core.money import CENT


def to_date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    """``value`` as a date: a date, a datetime (its date) or ISO text (YYYY-MM-DD). Missing
    (None or blank) is ``default``, or refused as required when there is none."""
    if value in (None, ""):
        if default is None:
            raise ValidationError({field: [_("This field is required.")]})
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            {field: [_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}]}
        ) from None


#: What an amount may be, besides within the bounds (``core.bounds``).
ABOVE_ZERO, ZERO_OR_MORE, ANY_SIGN = "above_zero", "zero_or_more", "any_sign"


def to_amount(value: Any, field: str, *, sign: str = ABOVE_ZERO) -> Decimal:
    """``value`` as yuan with at most two decimals: decimal text (thousands commas allowed) or a
    Decimal; a float is refused (it is not money), and so is an amount outside the bounds or,
    by ``sign``, zero or below (ABOVE_ZERO), below zero (ZERO_OR_MORE) or neither (ANY_SIGN:
    net refunds)."""
    if value is None or value == "":
        raise ValidationError({field: [_("This field is required.")]})
    if isinstance(value, bool | float):
        raise ValidationError({field: [_("Amounts must be given as decimal text, not floats.")]})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: [_("“%(value)s” is not an amount.") % {"value": value}]}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: [_("“%(value)s” is not an amount.") % {"value": value}]})
    if problem := amount_problem(amount):
        raise ValidationError({field: [problem]})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: [_("Amounts have at most two decimal places.")]})
    if (sign == ABOVE_ZERO and amount <= 0) or (sign == ZERO_OR_MORE and amount < 0):
        raise ValidationError({field: [_("The amount must be above zero.")]})
    return amount.quantize(CENT)
