"""The two numbers that identify a bidder, each with its check character.

A person: the citizen identity number (公民身份号码) of GB 11643-1999, 18 characters —
address code (6), birth date YYYYMMDD (8), sequence (3) and a check character (1) that is
``(12 - Σ digit × weight mod 11) mod 11`` over the first 17 (10 written ``X``). Every weight is
non-zero modulo the prime 11, so changing any one digit changes the check.

A company: the unified social credit code (统一社会信用代码) of GB 32100-2015
(``organisation.credit_code``; its weights are non-zero modulo the prime 31).

Each ``*_error`` answers None for a valid number and otherwise the sentence naming what is
wrong, in the reader's language; ``normalise_*`` strips the spaces people type.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.organisation.credit_code import (
    ALPHABET,
    LENGTH,
    credit_code_check_char,
    normalise_credit_code,
)
from panhuo.organisation.division_code import PROVINCES

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_LENGTH = 18

__all__ = [
    "credit_code_error",
    "id_check_char",
    "id_number_error",
    "normalise_credit_code",
    "normalise_id_number",
]


def id_check_char(first17: str) -> str:
    """The check character of the first 17 digits of a resident ID."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def normalise_id_number(raw: str) -> str:
    """Without spaces, the check character ``x`` written ``X``."""
    return "".join((raw or "").split()).upper()


def _birth_date(digits: str) -> dt.date | None:
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def id_number_error(number: str, *, today: dt.date | None = None) -> str | None:
    """What is wrong with a (normalised) resident ID number, or None."""
    if len(number) != ID_LENGTH:
        return _("A resident ID number has 18 characters (this one has %(n)d).") % {
            "n": len(number)
        }
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        return _("A resident ID number is 17 digits followed by a digit or X.")
    if number[:2] not in PROVINCES:
        return _("The resident ID's address code names no province.")
    born = _birth_date(number[6:14])
    if born is None or born.year < 1900 or born > (today or timezone.localdate()):
        return _("The resident ID's birth date (digits 7 to 14) is not a real date.")
    if id_check_char(number[:17]) != number[17]:
        return _("Resident ID check digit does not match.")
    return None


def credit_code_error(code: str) -> str | None:
    """What is wrong with a (normalised) unified social credit code, or None."""
    if len(code) != LENGTH:
        return _("A unified social credit code has 18 characters (this one has %(n)d).") % {
            "n": len(code)
        }
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return _(
            "A unified social credit code uses digits and capitals except I, O, S, V and Z "
            "(not %(chars)s)."
        ) % {"chars": "".join(dict.fromkeys(bad))}
    if not code[2:8].isdigit():
        return _("The credit code's characters 3 to 8 (the division code) must be digits.")
    if credit_code_check_char(code[:17]) != code[17]:
        return _("Unified social credit code check character does not match.")
    return None
