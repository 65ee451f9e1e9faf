"""Amounts typed in 元 or 万元 (issue 12, item 6): the conversion never changes the amount
(Decimal, exact both ways), and a fraction of a cent is refused rather than rounded."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from panhuo.core.forms import AmountFormField
from panhuo.core.money import AmountUnitError, from_yuan, to_yuan

yuan = st.decimals(min_value=D("0.01"), max_value=D("999999999999.99"), places=2)
wan = st.decimals(min_value=D("0.000001"), max_value=D("99999999.999999"), places=6)


@given(amount=yuan, unit=st.sampled_from(["yuan", "wan"]))
def test_yuan_to_unit_and_back_is_exact(amount, unit):
    assert to_yuan(from_yuan(amount, unit), unit) == amount


@given(amount=wan)
def test_wan_to_yuan_and_back_is_exact(amount):
    assert from_yuan(to_yuan(amount, "wan"), "wan") == amount
    assert to_yuan(amount, "wan") == amount * 10_000


@pytest.mark.parametrize(
    ("text", "unit", "want"),
    [
        ("12.3456", "wan", D("123456.00")),
        ("12.345678", "wan", D("123456.78")),
        ("1,234.5", "yuan", D("1234.50")),
        ("¥ 500", "yuan", D("500.00")),
    ],
)
def test_the_field_converts_exactly(text, unit, want):
    assert AmountFormField().clean([text, unit]) == want


@pytest.mark.parametrize(
    ("text", "unit"), [("12.3456789", "wan"), ("1.234", "yuan"), ("5", "yi"), ("abc", "yuan")]
)
def test_the_field_refuses_what_it_cannot_take_exactly(text, unit):
    with pytest.raises(forms.ValidationError):
        AmountFormField().clean([text, unit])
    if unit != "yi" and text != "abc":
        with pytest.raises(AmountUnitError):
            to_yuan(D(text), unit)
