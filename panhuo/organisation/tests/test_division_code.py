"""GB/T 2260 division codes: the level read from the code, and the prefix a child shares with its
parent (what ``panhuo setup`` checks a jurisdiction tree against)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from panhuo.organisation import division_code as dc

provinces = st.sampled_from(sorted(dc.PROVINCES))
two = st.integers(1, 99).map(lambda n: f"{n:02d}")


def test_known_codes():
    assert dc.division_code_valid("370102")
    for bad in ("37010", "3701020", "990102", "37O102", "３７０１０２", ""):
        assert not dc.division_code_valid(bad), bad
    levels = {"370000": "province", "370100": "city", "370102": "district", "429004": "district"}
    assert {code: dc.division_level(code) for code in levels} == levels


@given(provinces, two, two, two)
def test_a_place_sits_under_the_parent_its_code_names(p, c, d, other):
    province, city, district = f"{p}0000", f"{p}{c}00", f"{p}{c}{d}"
    assert [dc.division_level(x) for x in (province, city, district)] == [
        "province",
        "city",
        "district",
    ]
    assert dc.prefix_matches(city, province, dc.CITY)
    assert dc.prefix_matches(district, city, dc.DISTRICT)
    # Under another city of the same province, the district's code contradicts its parent.
    assert dc.prefix_matches(district, f"{p}{other}00", dc.DISTRICT) == (other == c)
    assert not dc.prefix_matches(province, province, dc.PROVINCE)
