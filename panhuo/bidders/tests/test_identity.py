"""The check characters of the resident ID (GB 11643) and the unified social credit code
(GB 32100): every generated valid number passes, and any single changed character fails."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from panhuo.bidders.identity import (
    credit_code_error,
    id_check_char,
    id_number_error,
    normalise_credit_code,
    normalise_id_number,
)
from panhuo.organisation.credit_code import ALPHABET, credit_code_check_char
from panhuo.organisation.division_code import PROVINCES

DIGITS = "0123456789"


@st.composite
def resident_ids(draw) -> str:
    province = draw(st.sampled_from(sorted(PROVINCES)))
    rest = draw(st.text(DIGITS, min_size=4, max_size=4))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)))
    seq = draw(st.text(DIGITS, min_size=3, max_size=3))
    first17 = f"{province}{rest}{born:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


@st.composite
def credit_codes(draw) -> str:
    head = draw(st.text(ALPHABET, min_size=2, max_size=2))
    division = draw(st.text(DIGITS, min_size=6, max_size=6))
    org = draw(st.text(ALPHABET, min_size=9, max_size=9))
    first17 = head + division + org
    return first17 + credit_code_check_char(first17)


def test_known_numbers():
    # The standard's worked example and a real company's published code.
    assert id_number_error("11010519491231002X") is None
    assert id_number_error("110105194912310021") is not None
    assert credit_code_error("91350100M000100Y43") is None
    assert credit_code_error("91350100M000100Y44") is not None


@given(resident_ids())
def test_generated_ids_pass(number):
    assert id_number_error(number) is None


@given(resident_ids(), st.integers(0, 17), st.sampled_from(DIGITS + "X"))
def test_any_single_changed_id_character_fails(number, at, char):
    if at < 17 and char == "X":
        char = "7"
    if number[at] == char:
        char = DIGITS[(DIGITS.index(char) + 1) % 10] if char != "X" else "0"
    changed = number[:at] + char + number[at + 1 :]
    assert changed != number
    assert id_number_error(changed) is not None


@given(credit_codes())
def test_generated_credit_codes_pass(code):
    assert credit_code_error(code) is None


@given(credit_codes(), st.integers(0, 17), st.sampled_from(ALPHABET))
def test_any_single_changed_credit_code_character_fails(code, at, char):
    if code[at] == char:
        char = ALPHABET[(ALPHABET.index(char) + 1) % len(ALPHABET)]
    changed = code[:at] + char + code[at + 1 :]
    assert credit_code_error(changed) is not None


def test_refusals_name_what_is_wrong_in_both_languages():
    bad_check = "110105194912310021"
    assert id_number_error(bad_check) == "Resident ID check digit does not match."
    with translation.override("zh-hans"):
        assert id_number_error(bad_check) == "身份证号码校验位不符。"
        assert "18" in id_number_error("1101051949")
    assert "birth date" in id_number_error("110105194913310021")
    assert "province" in id_number_error("990105194912310021")
    assert "I, O, S, V" in credit_code_error("91350100M000100YI3")
    assert "check character" in credit_code_error("91350100M000100Y44")


def test_normalising():
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert normalise_credit_code("9135 0100-M000100Y43") == "91350100M000100Y43"
