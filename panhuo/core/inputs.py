"""Reading the values a service is handed (text from a form or a payload, or Python objects),
refusing what is not one with a ``ValidationError`` that names the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from panhuo.core.errors import ValidationError


def to_date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    """``value`` as a date: a date, a datetime (its date) or ISO text (YYYY-MM-DD). Missing
    (None or blank) is ``default``, or refused as required when there is none."""
    if value in (None, ""):
        if default is None:
            raise ValidationError({field: ["This field is required."]})
        return default
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [f"{value!r} is not a date (YYYY-MM-DD)."]}) from None
