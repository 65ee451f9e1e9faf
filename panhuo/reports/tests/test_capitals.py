"""Amounts in Chinese capitals: the rules' worked examples, and over generated amounts the
round trip through the parser and the zero rules (one 零 at a time, none before a unit)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panhuo.reports.capitals import LIMIT, parse_capitals, to_capitals, wan

EXAMPLES = {
    "1234567.89": "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分",
    "0": "零元整",
    "10": "壹拾元整",
    "1001": "壹仟零壹元整",
    "1010": "壹仟零壹拾元整",
    "101000": "壹拾万零壹仟元整",  # the rules allow the 零 or not; we write it
    "1680.32": "壹仟陆佰捌拾元零叁角贰分",
    "325.04": "叁佰贰拾伍元零肆分",
    "0.50": "伍角",
    "0.05": "伍分",
    "100000000": "壹亿元整",
    "100010000": "壹亿零壹万元整",
    "10000.05": "壹万元零伍分",
    "-7.10": "负柒元壹角",
}


def test_the_rules_worked_examples():
    for amount, words in EXAMPLES.items():
        assert to_capitals(Decimal(amount)) == words, amount
        assert parse_capitals(words) == Decimal(amount), words
    assert wan(Decimal("1234567.89")) == Decimal("123.46")
    with pytest.raises(ValueError):
        to_capitals(LIMIT)
    with pytest.raises(ValueError, match="X"):
        parse_capitals("壹X元")


cents = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1)


@given(cents)
def test_capitals_round_trip_and_keep_the_zero_rules(n):
    amount = Decimal(n) / 100
    words = to_capitals(amount)
    assert parse_capitals(words) == amount
    body = words.removeprefix("负")
    assert "零零" not in body
    for unit in "元万亿角分":
        assert f"零{unit}" not in body or body == "零元整"
    assert body.endswith(("整", "角", "分"))
    assert (body.endswith("整")) == (n % 100 == 0)
