"""Reading one cell's text as a typed value, the way registers actually write them.

Every parser raises ValueError with a message (``core.texts.Msg``, translated when shown) meant
for the person who made the file; the importer adds the row and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_noop

from panhuo.core.bounds import amount_message, date_message
from panhuo.core.money import CENT
from panhuo.core.texts import Msg

#: A sanity limit for any number in a cell; amounts have the tighter bound of core.bounds.
MAX_AMOUNT = Decimal(10) ** 18

#: Multipliers for amounts stated in larger units, longest suffix first.
UNIT_SUFFIXES = [
    ("亿元", Decimal(100_000_000)),
    ("万元", Decimal(10_000)),
    ("亿", Decimal(100_000_000)),
    ("万", Decimal(10_000)),
    ("元", Decimal(1)),
]
UNIT_NAMES = {"yuan": Decimal(1), "wan": Decimal(10_000), "yi": Decimal(100_000_000)}

_CJK_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")

DATE_ORDERS = ("dmy", "mdy")


def parse_date(text: str, *, order: str = "dmy") -> dt.date | None:
    """ISO (2024-03-01), YYYY/M/D, 2024年3月1日, and DD/MM/YYYY (or MM/DD/YYYY if the
    mapping says so). Empty text is None."""
    s = text.strip()
    if not s:
        return None
    for pattern, groups in ((_YMD, (1, 2, 3)), (_CJK_DATE, (1, 2, 3))):
        m = pattern.match(s)
        if m:
            y, mo, d = (int(m.group(g)) for g in groups)
            return _date(y, mo, d, s)
    m = _DMY.match(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        d, mo = (a, b) if order == "dmy" else (b, a)
        return _date(y, mo, d, s)
    raise ValueError(Msg(
        "not_a_date",
        gettext_noop("“%(text)s” is not a date (use 2024-03-01, 01/03/2024, 2024/3/1 or "
                     "2024年3月1日)"),
        text=s,
    ))  # fmt: skip


def _date(y: int, m: int, d: int, text: str) -> dt.date:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        raise ValueError(
            Msg("not_a_real_date", gettext_noop("“%(text)s” is not a real date"), text=text)
        ) from None
    if problem := date_message(day):
        raise ValueError(problem)
    return day


def _number(text: str) -> Decimal:
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    s = s.lstrip("¥￥$£€").replace(",", "").replace("，", "")
    not_a_number = Msg(
        "not_a_number", gettext_noop("“%(text)s” is not a number"), text=text.strip()
    )
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(not_a_number) from None
    if not value.is_finite():
        raise ValueError(not_a_number)
    if abs(value) >= MAX_AMOUNT:
        raise ValueError(
            Msg("number_too_large", gettext_noop("“%(text)s” is too large"), text=text.strip())
        )
    return -value if negative else value


def parse_decimal(text: str, *, places: int = 2) -> Decimal | None:
    """A plain number with optional thousands separators; rounded half-up to ``places``."""
    if not text.strip():
        return None
    value = _number(text)
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def parse_amount(text: str, *, unit: str = "yuan") -> Decimal | None:
    """Money in yuan from '1,234.50', '¥1234.5', '12.5万元', '3亿', or a bare number in the
    column's stated unit (yuan, wan or yi). Always Decimal, rounded to the fen."""
    s = text.strip()
    if not s:
        return None
    multiplier = UNIT_NAMES.get(unit)
    if multiplier is None:
        raise ValueError(
            Msg("unknown_amount_unit", gettext_noop("unknown amount unit “%(unit)s”"), unit=unit)
        )
    for suffix, factor in UNIT_SUFFIXES:
        if s.endswith(suffix):
            s, multiplier = s[: -len(suffix)], factor
            break
    value = (_number(s) * multiplier).quantize(CENT, ROUND_HALF_UP)
    if problem := amount_message(value):
        raise ValueError(problem)
    return value


TRUE_WORDS = {"1", "y", "yes", "true", "t", "是", "有", "完整", "x", "✓"}
FALSE_WORDS = {"0", "n", "no", "false", "f", "否", "无", "不完整", ""}


def parse_bool(text: str) -> bool:
    s = text.strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise ValueError(
        Msg("not_yes_or_no", gettext_noop("“%(text)s” is not yes or no"), text=text.strip())
    )


def parse_choice(text: str, choices: dict[str, str], value_map: dict[str, str] | None = None):
    """A status, kind or other coded value: Panhuo's own code, its English or Chinese label
    (case-insensitive), or the source's word mapped to it in the saved mapping."""
    s = text.strip()
    if not s:
        return None
    if value_map:
        for source, target in value_map.items():
            if source.strip().lower() == s.lower():
                s = target
                break
    lowered = s.lower()
    for code, label in choices.items():
        if lowered in (code.lower(), str(label).lower()):
            return code
    raise ValueError(Msg(
        "not_a_choice",
        gettext_noop("“%(text)s” is not one of %(choices)s"),
        text=text.strip(),
        choices=", ".join(choices),
    ))  # fmt: skip
