"""The administrative division code (行政区划代码) of GB/T 2260.

Six digits: province (2), city (2), county/district (2). A province's code ends in ``0000``, a
city's (prefecture level) in ``00`` but not ``0000``, a district's or county's in anything else.
So the code itself says where a place sits in the tree: a district's code starts with its city's
first four digits and a city's with its province's first two. A jurisdiction tree whose codes
contradict that is a typing error, and one that would file a district's assets under the wrong
city, which is why ``panhuo setup`` refuses it.
"""

from __future__ import annotations

#: The first two digits of every province-level division of GB/T 2260 (with Taiwan, Hong Kong
#: and Macao): a code starting otherwise names no province.
PROVINCES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip

PROVINCE, CITY, DISTRICT = "province", "city", "district"
#: The level of each level's parent.
PARENT_LEVEL = {CITY: PROVINCE, DISTRICT: CITY}
#: How many leading digits a place shares with its parent.
SHARED_PREFIX = {CITY: 2, DISTRICT: 4}


def division_code_valid(code: str) -> bool:
    """Whether ``code`` is six digits starting with a province of GB/T 2260."""
    return len(code) == 6 and code.isascii() and code.isdigit() and code[:2] in PROVINCES


def division_level(code: str) -> str:
    """The level a (valid) code belongs to, read from its trailing zeros."""
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return DISTRICT


def prefix_matches(code: str, parent_code: str, level: str) -> bool:
    """Whether a place of ``level`` with ``code`` may sit under ``parent_code``."""
    n = SHARED_PREFIX.get(level)
    return n is not None and code[:n] == parent_code[:n]
