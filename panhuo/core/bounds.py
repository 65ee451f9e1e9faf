"""The largest amount and the earliest and latest date Panhuo accepts, checked in one place.

**Amounts**: no single amount reaches 10^13 yuan (10 万亿元; the largest accepted is
9,999,999,999,999.99, negative amounts such as reversals alike). SQLite keeps a decimal column
as a double with 15 significant digits: 13 digits before the point and 2 after are exactly what
it stores and gives back, and a sum of a million such amounts still fits PostgreSQL's NUMERIC and
Python's Decimal exactly. For scale, all local government debt in China at the end of 2023 was
40.74 trillion yuan: no single asset, receipt or debt of one place comes near 10^13. Without a
bound, ``999999999999999999.99`` was stored by SQLite as 1e18 and every list of the place then
failed to read it back.

**Dates** (every business date: acquired on, received on, maturity, base date, term ends, …)
lie between 1900-01-01 and 2100-12-31. The floor lets a unit founded or a building acquired
before 1949 be registered; the ceiling leaves room for a 70-year land-use term or a 50-year bond
from today. A date such as 0001-01-01 is a typing slip, and arithmetic on it (a year back, a
working-day count) would fail rather than answer.

Model fields (``MoneyField``, and every ``DateField`` of Panhuo's models, see ``bound_dates``),
form fields and API schemas all call the checks below, so the bound is the same wherever an
amount or a date comes in; refusals name the field (forms and the API key them by field) and
say the bound, in the user's language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg

#: Every amount is strictly below this, in yuan (absolute value).
MAX_AMOUNT = Decimal(10) ** 13
#: The largest amount accepted.
LARGEST_AMOUNT = MAX_AMOUNT - Decimal("0.01")
#: The earliest and the latest business date accepted.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


def amount_problem(value: Decimal) -> str | None:
    """Why ``value`` (a finite Decimal in yuan) is out of bounds, or None."""
    problem = amount_message(value)
    return None if problem is None else str(problem)


def amount_message(value: Decimal) -> Msg | None:
    """``amount_problem`` as a message kept untranslated until shown (an import's row error)."""
    if abs(value) < MAX_AMOUNT:
        return None
    return Msg(
        "amount_too_large",
        gettext_noop(
            "%(value)s is too large: every amount is below 10,000,000,000,000 yuan "
            "(at most %(largest)s)."
        ),
        value=str(value),
        largest=f"{LARGEST_AMOUNT:,}",
    )


def date_problem(value: dt.date) -> str | None:
    """Why ``value`` is outside the business dates Panhuo accepts, or None."""
    problem = date_message(value)
    return None if problem is None else str(problem)


def date_message(value: dt.date) -> Msg | None:
    """``date_problem`` as a message kept untranslated until shown."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if FIRST_DATE <= value <= LAST_DATE:
        return None
    return Msg(
        "date_out_of_range",
        gettext_noop("%(value)s is out of range: dates lie between %(first)s and %(last)s."),
        value=value.isoformat(),
        first=FIRST_DATE.isoformat(),
        last=LAST_DATE.isoformat(),
    )


def validate_amount(value) -> None:
    """A Django validator (model and form fields)."""
    if value is None:
        return
    value = Decimal(value)
    if not value.is_finite():
        return  # the field's own validation refuses it
    problem = amount_problem(value)
    if problem:
        raise ValidationError(problem, code="amount_bound")


def validate_date(value) -> None:
    """A Django validator (model and form fields)."""
    if value is None or not isinstance(value, dt.date):
        return
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_bound")


def bound_dates(models) -> None:
    """Give every ``DateField`` of ``models`` the date bound (called once, from
    ``CoreConfig.ready``). The validator joins the field's default validators, which are not
    part of its migration state, so no migration follows."""
    from django.db.models import DateField, DateTimeField

    for model in models:
        for field in model._meta.local_fields:
            is_date = isinstance(field, DateField) and not isinstance(field, DateTimeField)
            if is_date and validate_date not in field.default_validators:
                field.default_validators = [*field.default_validators, validate_date]
                field.__dict__.pop("validators", None)  # a cached list, if already read
