"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Every legal person and other organisation in China carries one: 18 characters from a 31-letter
alphabet (digits and capitals without I, O, S, V, Z) — registration authority (1), kind (1),
administrative division (6), organisation code (9) and a check character (1). The check
character is ``31 - (sum of value × weight over the first 17) mod 31`` (31 counts as 0).

A free transfer (无偿划转) moves assets between state entities identified by this code, so its
recipient's code must be well formed: a mistyped code names no one.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def credit_code_check_char(first17: str) -> str:
    """The check character of the first 17 characters of a code (which must be in the
    alphabet)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    """Upper case without spaces or hyphens (as codes are often written)."""
    return "".join((raw or "").split()).replace("-", "").upper()


def credit_code_valid(code: str) -> bool:
    """Whether ``code`` (normalised) is a well-formed unified social credit code: 18 characters
    of the alphabet, the administrative division digits, and the right check character."""
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return False
    if not code[2:8].isdigit():
        return False
    return credit_code_check_char(code[:17]) == code[17]
