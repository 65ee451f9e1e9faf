"""Generated record codes (``DEBT000042``, ``PKG000007``): the next free one, whatever else is
in the table.

Codes are unique across the whole installation, and people may also type their own (an import
keeps ``DEBT2026-001`` or ``PKG-东区-01`` as given). Only codes of exactly the generated shape
— the prefix and then digits only — count when the next number is chosen, so a typed code can
never make generation fail; among those the longest, then the largest, is the last (text order
alone would put ``DEBT999999`` after ``DEBT1000000``).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length

#: Generated codes have at least this many digits (zero-padded), and never more than MAX_DIGITS.
WIDTH = 6
MAX_DIGITS = 18


def next_code(model: type[models.Model], prefix: str, *, width: int = WIDTH) -> str:
    """The code after the highest generated code of ``model`` (``prefix`` + digits)."""
    if not prefix.isascii() or not prefix.isalpha():
        raise ValueError(f"a code prefix is letters only, not {prefix!r}")
    last = (
        model._default_manager.filter(code__regex=rf"^{prefix}[0-9]{{{width},{MAX_DIGITS}}}$")
        .annotate(code_length=Length("code"))
        .order_by("-code_length", "-code")
        .values_list("code", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{n:0{width}d}"
