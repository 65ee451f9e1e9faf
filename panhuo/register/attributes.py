"""Each kind of asset carries attributes of its own (a vehicle's plate and mileage, an equity
stake's company and percentage, an operating right's term). They live in ``Asset.attributes``
as JSON, checked against this table so that a typo or a wrong type is named, not stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg

#: kind → attribute → type ("text", "int", "decimal", "date")
KIND_ATTRIBUTES: dict[str, dict[str, str]] = {
    "land": {"land_use": "text", "tenure_end": "date", "plot_ratio": "decimal"},
    "building": {"floors": "int", "built_year": "int", "structure": "text"},
    "vehicle": {"plate": "text", "mileage_km": "int", "model": "text", "registered_year": "int"},
    "equipment": {"model": "text", "serial_number": "text"},
    "equity": {"company": "text", "percentage": "decimal", "registered_capital": "decimal"},
    "operating_right": {"right_type": "text", "term_start": "date", "term_end": "date"},
    "natural_resource": {"resource_type": "text", "quantity": "decimal", "licence_number": "text"},
    "data": {"dataset": "text", "records": "int"},
    "receivable": {"debtor": "text", "due_on": "date"},
}

#: What a value of each type must be ("… is not a whole number").
WHOLE = Msg("", gettext_noop("a whole number"))
NUMBER = Msg("", gettext_noop("a number"))
DATE = Msg("", gettext_noop("a date (YYYY-MM-DD)"))


def _coerce(kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == "text":
        return str(value).strip()[:200]
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError(WHOLE)
        try:
            number = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            raise ValueError(WHOLE) from None
        if not number.is_finite() or number != number.to_integral_value() or abs(number) > 10**12:
            raise ValueError(WHOLE)
        return int(number)
    if kind == "decimal":
        try:
            number = Decimal(str(value).replace(",", ""))
        except InvalidOperation:
            raise ValueError(NUMBER) from None
        if not number.is_finite() or abs(number) >= 10**18:
            raise ValueError(NUMBER)
        return str(number)
    if kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(DATE) from None
    raise AssertionError(kind)


def clean_attributes(kind: str, attributes: dict[str, Any] | None) -> dict[str, Any]:
    """The attributes with types checked and normalised; unknown keys are errors."""
    if attributes in (None, ""):
        return {}
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": [Msg(
            "attributes_not_object",
            gettext_noop("Attributes must be an object of named values."),
        )]})  # fmt: skip
    spec = KIND_ATTRIBUTES.get(kind, {})
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in attributes.items():
        if key not in spec:
            errors[f"attributes.{key}"] = [Msg(
                "unknown_attribute",
                gettext_noop("Not an attribute of this kind (allowed: %(allowed)s)."),
                allowed=", ".join(spec) or "—",
            )]  # fmt: skip
            continue
        try:
            coerced = _coerce(spec[key], value)
        except ValueError as exc:
            errors[f"attributes.{key}"] = [Msg(
                "attribute_type",
                gettext_noop("“%(value)s” is not %(kind)s."),
                value=str(value)[:200],
                kind=exc.args[0],
            )]  # fmt: skip
            continue
        if coerced is not None:
            clean[key] = coerced
    if errors:
        raise ValidationError(errors)
    return clean
