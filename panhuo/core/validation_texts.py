"""The API's validation messages in the caller's language.

pydantic writes its own refusals ("Field required", "Input should be a valid integer …") in
English only; our validators raise ``ValueError`` with text already translated (``gettext``
while the request's language is active). ``translate_error`` gives one error of a pydantic
``ValidationError`` (``exc.errors()``, as ninja lists them under ``detail``) in the active
language: a message we wrote as it is (without pydantic's "Value error, " prefix), pydantic's
own by its ``type`` and ``ctx``. A type not in the table keeps pydantic's English, which
``test_api_messages_i18n.py`` keeps from happening for the types our schemas produce.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

#: pydantic's error types → our msgid, with the ``ctx`` values it names.
_MESSAGES: dict[str, str] = {
    "missing": gettext_noop("This field is required."),
    "extra_forbidden": gettext_noop("This field is not accepted here."),
    "int_type": gettext_noop("Give a whole number."),
    "int_parsing": gettext_noop("Give a whole number."),
    "int_from_float": gettext_noop("Give a whole number, without a fraction."),
    "int_parsing_size": gettext_noop("The number is too large."),
    "float_type": gettext_noop("Give a number."),
    "float_parsing": gettext_noop("Give a number."),
    "finite_number": gettext_noop("Give a finite number."),
    "decimal_type": gettext_noop("Give a decimal number."),
    "decimal_parsing": gettext_noop("Give a decimal number."),
    "bool_type": gettext_noop("Give true or false."),
    "bool_parsing": gettext_noop("Give true or false."),
    "string_type": gettext_noop("Give text."),
    "string_too_short": gettext_noop("At least %(min_length)s characters."),
    "string_too_long": gettext_noop("At most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_noop("Does not have the expected form (%(pattern)s)."),
    "too_short": gettext_noop("At least %(min_length)s items."),
    "too_long": gettext_noop("At most %(max_length)s items."),
    "greater_than": gettext_noop("Must be greater than %(gt)s."),
    "greater_than_equal": gettext_noop("Must be at least %(ge)s."),
    "less_than": gettext_noop("Must be less than %(lt)s."),
    "less_than_equal": gettext_noop("Must be at most %(le)s."),
    "multiple_of": gettext_noop("Must be a multiple of %(multiple_of)s."),
    "literal_error": gettext_noop("Give one of %(expected)s."),
    "enum": gettext_noop("Give one of %(expected)s."),
    "date_type": gettext_noop("Give a date as YYYY-MM-DD."),
    "date_parsing": gettext_noop("Give a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_noop("Give a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_noop("Give a date as YYYY-MM-DD, without a time."),
    "datetime_type": gettext_noop("Give a date and time as YYYY-MM-DDTHH:MM:SS."),
    "datetime_parsing": gettext_noop("Give a date and time as YYYY-MM-DDTHH:MM:SS."),
    "datetime_from_date_parsing": gettext_noop("Give a date and time as YYYY-MM-DDTHH:MM:SS."),
    "time_type": gettext_noop("Give a time as HH:MM."),
    "time_parsing": gettext_noop("Give a time as HH:MM."),
    "uuid_type": gettext_noop("Give a UUID."),
    "uuid_parsing": gettext_noop("Give a UUID."),
    "url_type": gettext_noop("Give a URL."),
    "url_parsing": gettext_noop("Give a URL."),
    "list_type": gettext_noop("Give a list."),
    "dict_type": gettext_noop("Give an object."),
    "model_type": gettext_noop("Give an object."),
    "model_attributes_type": gettext_noop("Give an object."),
    "json_invalid": gettext_noop("The body is not valid JSON."),
    "json_type": gettext_noop("The body is not valid JSON."),
    "union_tag_invalid": gettext_noop("Give one of %(expected_tags)s."),
}

#: pydantic's own English for ``extra_forbidden`` (our unknown-query error shares the type).
_EXTRA_FORBIDDEN_EN = "Extra inputs are not permitted"


def translate_error(error: dict[str, Any]) -> str:
    """One pydantic error's message in the active language."""
    kind = error.get("type", "")
    message = str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "extra_forbidden" and message != _EXTRA_FORBIDDEN_EN:
        return message  # ours, already translated (core.api_query)
    msgid = _MESSAGES.get(kind)
    if msgid is None:
        return message
    ctx = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return gettext(msgid) % ctx if "%(" in msgid else gettext(msgid)
    except (KeyError, TypeError, ValueError):
        return message
