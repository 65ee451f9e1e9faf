"""Amounts typed in 元, 万元 or 亿元 (issue 12 item 6, issue 15 item 8): the conversion never
changes the amount (Decimal, exact both ways), a fraction of a cent is refused rather than
rounded, and an amount shown in a unit is off by no more than its display rounding."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from panhuo.core.forms import AmountFormField
from panhuo.core.money import AmountUnitError, from_yuan, override, to_yuan

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
    ("text", "unit"),
    [
        ("12.3456789", "wan"),
        ("1.234", "yuan"),
        ("0.00000000001", "yi"),
        ("5", "li"),
        ("abc", "yuan"),
    ],
)
def test_the_field_refuses_what_it_cannot_take_exactly(text, unit):
    with pytest.raises(forms.ValidationError):
        AmountFormField().clean([text, unit])
    if unit != "li" and text != "abc":
        with pytest.raises(AmountUnitError):
            to_yuan(D(text), unit)


# --- 亿元 (issue 15 item 8): typed and shown as a debt office reports ------------------------

yi = st.decimals(min_value=D("0.0000000001"), max_value=D("99999.9999999999"), places=10)


@given(amount=yi)
def test_an_amount_typed_in_yi_is_stored_as_the_exact_yuan(amount):
    stored = AmountFormField().clean([f"{amount:f}", "yi"])
    assert stored == amount * 100_000_000 and stored == stored.quantize(D("0.01"))
    assert from_yuan(stored, "yi") == amount


@given(amount=yuan, unit=st.sampled_from(["yuan", "wan", "yi"]))
def test_shown_in_a_unit_and_back_loses_nothing_but_the_display_rounding(amount, unit):
    from panhuo.core.money import INPUT_UNITS, format_money, in_display_unit

    with override(unit):
        shown = in_display_unit(amount)
        text = format_money(amount)
    # Two decimals in every unit, and the figure is the amount to within half of the last one.
    assert shown.as_tuple().exponent == -2 and text == f"{shown:,}"
    assert abs(shown * INPUT_UNITS[unit] - amount) <= D("0.005") * INPUT_UNITS[unit]
    # The exact conversion (what an amount box offers back) loses nothing at all.
    assert to_yuan(from_yuan(amount, unit), unit) == amount


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("1.5", D("150000000.00")),
        ("0.0000000123", D("1.23")),
        ("12,345.6789", D("1234567890000.00")),
    ],
)
def test_yi_converts_exactly(text, want):
    assert AmountFormField().clean([text, "yi"]) == want


def test_a_fraction_of_a_cent_in_yi_is_refused_in_both_languages():
    from django.utils import translation

    for language, words in (("en", "10 in 亿元"), ("zh-hans", "亿元最多 10 位")):
        with translation.override(language):
            with pytest.raises(forms.ValidationError) as exc:
                AmountFormField().clean(["0.00000000001", "yi"])
            assert words in " ".join(exc.value.messages)


def test_the_unit_box_offers_yi_to_a_reader_of_yi():
    from panhuo.core.forms import AmountInput

    with override("yi"):
        assert AmountInput().decompress(D("150000000.00")) == ["1.5", "yi"]
    html = AmountInput().render("principal", None)
    assert 'value="yi"' in html and "亿元" in html


def test_percentages_and_dates_as_reported():
    import datetime as dt

    from django.utils import translation

    from panhuo.core.money import as_of_label, two_places

    assert two_places(D("71.428571")) == D("71.43") and two_places(None) is None
    assert str(two_places(D("150"))) == "150.00"
    day = dt.date(2024, 3, 5)
    with translation.override("en"):
        assert as_of_label(day) == "as of 2024-03-05"
    with translation.override("zh-hans"):
        assert as_of_label(day) == "截至 2024年3月5日"
