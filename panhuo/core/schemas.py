"""Value types shared by every app's API schemas.

Money is ``Decimal`` end to end: inputs are decimal text (or whole numbers), never floats, and
outputs are JSON strings, so no client ever sees a binary-float amount. Every text input refuses
NUL characters (PostgreSQL cannot store them) and every id is bounded to the database's integer
range, so no malformed value reaches the database and comes back as a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from panhuo.core.bounds import amount_problem, date_problem
from panhuo.core.money import CENT
from panhuo.core.validation_texts import translate_error

#: The largest id a BIGINT column holds (SQLite and PostgreSQL alike).
MAX_ID = 2**63 - 1

#: An object id: a positive integer that fits the database.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(gettext("Text may not contain NUL characters."))
    return value


#: Free text from the caller.
Text = Annotated[str, AfterValidator(_no_nul)]


def _in_date_bounds(value: dt.date) -> dt.date:
    if problem := date_problem(value):
        raise ValueError(problem)
    return value


#: A business date within ``core.bounds`` (1900-01-01 to 2100-12-31): for dates a reader gives
#: (an "as of" date) that the answer computes with.
BusinessDate = Annotated[dt.date, AfterValidator(_in_date_bounds)]

_DECIMAL_TEXT = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


def decimal_parser(
    *, max_digits: int, places: int, minimum: Decimal | None, above: bool, money: bool = False
):
    """A validator turning decimal text (or an int) into an exact Decimal within bounds.

    Floats are refused outright, because a float has already lost the exact value the client
    meant (and JSON ``1e999``/``NaN`` arrive as floats). ``above`` makes ``minimum`` exclusive.
    ``money`` applies the one bound on amounts (``core.bounds.MAX_AMOUNT``).
    """

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool | float):
            raise ValueError(
                gettext(
                    'Give the amount as decimal text, e.g. "1234.50", not as a JSON number '
                    "with a fraction or exponent."
                )
            )
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, Decimal):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(gettext('Give the amount as decimal text, e.g. "1234.50".'))
        text = value.strip()
        if not _DECIMAL_TEXT.match(text):
            raise ValueError(
                gettext('%(value)s is not a decimal number such as "1234.50".')
                % {"value": repr(value[:40])}
            )
        amount = Decimal(text)
        whole, _, fraction = text.lstrip("+-").partition(".")
        if len(fraction.rstrip("0")) > places:
            raise ValueError(gettext("At most %(n)s decimal places.") % {"n": places})
        if len(whole.lstrip("0")) > max_digits - places:
            raise ValueError(
                gettext("At most %(n)s digits before the decimal point.")
                % {"n": max_digits - places}
            )
        if minimum is not None:
            if above and amount <= minimum:
                raise ValueError(gettext("Must be above %(minimum)s.") % {"minimum": minimum})
            if not above and amount < minimum:
                raise ValueError(gettext("Must be at least %(minimum)s.") % {"minimum": minimum})
        if money and (problem := amount_problem(amount)):
            raise ValueError(problem)
        return amount.quantize(Decimal(1).scaleb(-places))

    return parse


def _decimal_schema(description: str) -> dict:
    return {
        "type": "string",
        "pattern": _DECIMAL_TEXT.pattern,
        "description": description,
        "examples": ["1234.50"],
    }


def DecimalIn(
    *,
    max_digits: int = 20,
    places: int = 2,
    minimum: Decimal | None = None,
    above: bool = False,
    money: bool = False,
    description: str = 'Decimal text, e.g. "1234.50" (JSON numbers with a fraction are refused).',
) -> Any:
    """An input Decimal type with the given precision and lower bound; ``money``: an amount,
    below the one bound on amounts (``core.bounds``)."""
    return Annotated[
        Decimal,
        BeforeValidator(
            decimal_parser(
                max_digits=max_digits, places=places, minimum=minimum, above=above, money=money
            )
        ),
        WithJsonSchema(_decimal_schema(description)),
    ]


_BELOW_BOUND = " Below 10,000,000,000,000 yuan (10^13; core.bounds)."


#: An amount of money that must be above zero (receipts, allocations, prices, principal).
PositiveMoney = DecimalIn(
    minimum=Decimal(0),
    above=True,
    money=True,
    description="An amount in yuan above zero as decimal text with at most 2 places, "
    'e.g. "1234.50".' + _BELOW_BOUND,
)
#: An amount of money that may be zero (book and appraised values, outstanding).
Money = DecimalIn(
    minimum=Decimal(0),
    money=True,
    description="An amount in yuan of at least zero as decimal text with at most 2 places, "
    'e.g. "0.00".' + _BELOW_BOUND,
)


def money_text(value: Decimal) -> str:
    """Money as an answer writes it (``MoneyOut``): text with cents."""
    # Sums computed by SQLite come back without trailing zeros; money always shows cents.
    return str(Decimal(value).quantize(CENT))


def _decimal_text(value: Decimal) -> str:
    return str(value)


#: Money in responses: a Decimal that is written as a JSON string with cents, never a float.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(money_text, return_type=str),
    WithJsonSchema(
        {"type": "string", "description": "An amount in yuan (元), exact.", "examples": ["1234.50"]}
    ),
]
#: Other exact decimals in responses (rates, areas, coordinates): also JSON strings.
DecimalOut = Annotated[
    Decimal,
    PlainSerializer(_decimal_text, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["4.250"]}),
]


class ErrorOut(Schema):
    """Every 4xx answer: a sentence, and the offending fields when there are any."""

    detail: Any = Field(description="What went wrong, in one sentence (a list for 422).")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages by field name."
    )


#: The 4xx answers most operations document beside their success.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: The same, and 409 for the operations that refuse a write over a newer version or a clash.
CONFLICT_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class Ref(Schema):
    """A compact reference to a related record."""

    id: int
    code: str
    name: str


def Ordering(keys) -> Any:
    """The accepted ``ordering`` values for a list: each key, ascending or with ``-``."""
    values = [k for key in sorted(keys) for k in (key, f"-{key}")]
    return Literal[tuple(values)]


class ListFilters(Schema):
    """The query of a list endpoint: the list page's own parameters, so a saved page query
    works on the API too. ``q`` searches what the page searches; ``sort`` is the pages' name
    for ``ordering`` (either may be given; ``sort`` wins). ``selector_kwargs()`` gives the
    list's selector its keyword arguments."""

    q: Text = Field("", max_length=200, description="Search, as on the list page.")
    sort: str | None = Field(
        None, max_length=64, description="The list page's name for `ordering` (same values)."
    )

    @model_validator(mode="after")
    def _sort_is_ordering(self):
        if self.sort:
            field = type(self).model_fields.get("ordering")
            if field is None:
                raise ValueError(gettext("sort: this list has no sortable columns"))
            try:
                self.ordering = TypeAdapter(field.annotation).validate_python(self.sort)
            except PydanticValidationError as exc:
                message = translate_error(exc.errors()[0])
                raise ValueError(f"sort: {message}") from None
        return self

    def selector_kwargs(self) -> dict:
        return self.dict(exclude={"sort"})


#: An amount typed by a person, in the body's ``unit`` (yuan, wan = 万元 = 10,000 yuan, or
#: yi = 亿元 = 100,000,000 yuan): up to 10 decimal places so that 亿元 figures are exact; after
#: conversion to yuan at most 2 may remain (``amounts_in_yuan``).
PositiveAmountIn = DecimalIn(
    max_digits=24,
    places=10,
    minimum=Decimal(0),
    above=True,
    money=True,
    description='An amount above zero as decimal text in the body\'s unit ("yuan" by default, '
    'or "wan" = 万元, or "yi" = 亿元), e.g. "1234.50" yuan, "12.345" 万元 or "1.5" 亿元.'
    + _BELOW_BOUND,
)
AmountIn = DecimalIn(
    max_digits=24,
    places=10,
    minimum=Decimal(0),
    money=True,
    description="An amount of at least zero as decimal text in the body's unit." + _BELOW_BOUND,
)
AmountUnit = Literal["yuan", "wan", "yi"]


def amounts_in_yuan(model, names: tuple[str, ...]):
    """Convert the amounts ``names`` of a validated body from its ``unit`` to yuan, exactly
    (``core.money.to_yuan``); a fraction of a cent left after conversion is refused, naming
    the field. Call from a ``model_validator(mode="after")``."""
    from panhuo.core.money import AmountUnitError, to_yuan

    for name in names:
        value = getattr(model, name, None)
        if value is None:
            continue
        try:
            yuan = to_yuan(value, model.unit)
        except AmountUnitError:
            raise ValueError(
                gettext(
                    "%(field)s: at most 2 decimal places in yuan (6 in wan, 10 in yi); got "
                    "%(value)s %(unit)s."
                )
                % {"field": name, "value": value, "unit": model.unit}
            ) from None
        if problem := amount_problem(yuan):
            raise ValueError(f"{name}: {problem}")
        object.__setattr__(model, name, yuan)
    return model
