"""Suggestions group candidates by place and kind: each candidate at most once, every member
within the radius of its group's seed (or sharing its address / unit when unlocated), never an
essential asset, the same answer for the same input."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.disposal.suggestions import FAMILY, Item, haversine_km, suggest

KINDS = ["land", "building", "vehicle", "equipment"]


@st.composite
def items(draw):
    n = draw(st.integers(0, 25))
    out = []
    for i in range(n):
        located = draw(st.booleans())
        out.append(
            Item(
                id=i + 1,
                code=f"A{draw(st.integers(0, 40)):03d}-{i}",
                kind=draw(st.sampled_from(KINDS)),
                jurisdiction_id=draw(st.sampled_from([1, 2])),
                place="District A",
                unit_id=draw(st.sampled_from([10, 11])),
                unit="Housing bureau",
                book_value=Decimal(draw(st.integers(1, 5_000_000))),
                appraised_value=draw(st.none() | st.integers(1, 9_000_000).map(Decimal)),
                area=draw(st.none() | st.integers(1, 20_000).map(Decimal)),
                latitude=draw(st.floats(36.60, 36.70)) if located else None,
                longitude=draw(st.floats(117.00, 117.10)) if located else None,
                address=draw(st.sampled_from(["", "1 Renmin Road", "1  renmin road", "9 Hill St"])),
                essential=draw(st.booleans()),
            )
        )
    return out


def _family(k):
    return FAMILY.get(k, k)


@settings(max_examples=150, deadline=None)
@given(
    pool=items(),
    radius=st.floats(0.1, 8.0),
    max_size=st.integers(1, 6),
    max_value=st.none() | st.integers(1, 20_000_000).map(Decimal),
)
@pytest.mark.slow
def test_grouping_invariants(pool, radius, max_size, max_value):
    got = suggest(pool, radius_km=radius, max_size=max_size, max_value=max_value)
    seen = [i.id for s in got for i in s.items]
    assert len(seen) == len(set(seen))  # a candidate is in at most one suggestion
    by_id = {i.id: i for i in pool}
    for s in got:
        assert all(not i.essential for i in s.items)
        assert 2 <= s.count <= max(1, max_size)
        assert len({i.jurisdiction_id for i in s.items}) == 1
        assert len({_family(i.kind) for i in s.items}) == 1
        if max_value is not None:
            assert sum(i.value for i in s.items) <= max_value
        if s.rule == "radius":
            assert all(i.point is not None for i in s.items)
            assert all(haversine_km(s.seed.point, i.point) <= radius for i in s.items)
        elif s.rule == "address":
            assert len({" ".join(i.address.lower().split()) for i in s.items}) == 1
            assert all(i.point is None for i in s.items)
        else:
            assert s.rule == "unit" and len({i.unit_id for i in s.items}) == 1
            assert all(i.point is None and not i.address for i in s.items)
        assert s.count == len(s.asset_ids) and all(a in by_id for a in s.asset_ids)
        assert s.total_book_value == sum(i.book_value for i in s.items)
    # Deterministic: the same candidates in another order give the same suggestions.
    again = suggest(list(reversed(pool)), radius_km=radius, max_size=max_size, max_value=max_value)
    assert [s.asset_ids for s in again] == [s.asset_ids for s in got]


def _item(i, lat, lon, kind="building", **kw):
    return Item(
        id=i, code=f"A{i:03d}", kind=kind, jurisdiction_id=1, place="Hexi",
        unit_id=1, unit="Housing bureau", book_value=Decimal("100.00"),
        appraised_value=Decimal("120.00"), area=Decimal("50.00"),
        latitude=lat, longitude=lon, **kw,
    )  # fmt: skip


def test_near_buildings_and_land_grouped_far_one_left_out_with_figures_and_reason():
    pool = [
        _item(1, 36.650, 117.000),
        _item(2, 36.655, 117.000),  # ~0.56 km north
        _item(3, 36.650, 117.010, kind="land"),  # ~0.9 km east: land goes with buildings
        _item(4, 36.750, 117.000),  # ~11 km: too far
        _item(5, 36.651, 117.000, kind="vehicle"),  # near, but not a compatible kind
        _item(6, 36.651, 117.001, essential=True),  # near, but essential
    ]
    (s,) = suggest(pool, radius_km=1.2)
    assert s.asset_ids == [1, 2, 3] and s.rule == "radius"
    assert (s.total_book_value, s.total_appraised_value, s.total_area) == (
        Decimal("300.00"), Decimal("360.00"), Decimal("150.00"),
    )  # fmt: skip
    assert s.reason == "3 assets (building, land-use right) within 0.9 km of A001 in Hexi"
    assert suggest(pool, radius_km=0.5) == []  # nothing within half a kilometre of a seed
    assert [x.asset_ids for x in suggest(pool, radius_km=1.2, kind="land")] == []


def test_unlocated_grouped_by_address_then_unit():
    pool = [
        _item(1, None, None, address="8 Qinghe Road"),
        _item(2, None, None, address="8  qinghe road"),
        _item(3, None, None),
        _item(4, None, None),
        _item(5, None, None, address="9 Other Road"),
    ]
    got = suggest(pool)
    assert [(s.rule, s.asset_ids) for s in got] == [("address", [1, 2]), ("unit", [3, 4])]
    assert "without coordinates at 8 Qinghe Road" in got[0].reason
    assert "held by Housing bureau" in got[1].reason


def test_size_and_value_bounds():
    pool = [_item(i, 36.65 + i * 0.0001, 117.0) for i in range(1, 8)]
    assert [s.count for s in suggest(pool, max_size=3)] == [3, 3]
    assert [s.count for s in suggest(pool, max_value=Decimal("250.00"))] == [2, 2, 2]
