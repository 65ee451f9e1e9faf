"""The unified social credit code check (GB 32100-2015): a code built with its check character
is valid; changing any one character, or the length, makes it invalid."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from panhuo.organisation.credit_code import (
    ALPHABET,
    credit_code_check_char,
    credit_code_valid,
    normalise_credit_code,
)

chars = st.sampled_from(ALPHABET)
prefix17 = st.tuples(
    st.text(ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(prefix17)
def test_a_code_with_its_check_character_is_valid(first17):
    assert credit_code_valid(first17 + credit_code_check_char(first17))


@given(prefix17, st.integers(min_value=0, max_value=17), chars)
def test_changing_one_character_invalidates_it(first17, pos, ch):
    code = first17 + credit_code_check_char(first17)
    changed = code[:pos] + ch + code[pos + 1 :]
    # Weights are coprime with 31, so one changed character always changes the check sum.
    assert credit_code_valid(changed) == (changed == code) or not changed[2:8].isdigit()


@given(prefix17, st.integers(min_value=0, max_value=30))
def test_wrong_length_or_letters_outside_the_alphabet_are_invalid(first17, n):
    code = first17 + credit_code_check_char(first17)
    assert not credit_code_valid(code[:n] if n < 18 else code + "0")
    assert not credit_code_valid(code[:5] + "I" + code[6:])
    assert not credit_code_valid(code.lower()) or code == code.lower()


def test_known_codes_and_normalising():
    assert credit_code_valid("91350100M000100Y43")
    assert credit_code_valid("91110000802100433B")
    assert not credit_code_valid("91350100M000100Y44")
    assert normalise_credit_code(" 9135-0100 m000100y43 ") == "91350100M000100Y43"
