"""How conftest.py orders the items for pytest-xdist's worksteal scheduling (CI time, issue 11):
each worker's first share starts with its part of the long tiers."""

from __future__ import annotations

import conftest


class Item:
    def __init__(self, name: str, *markers: str):
        self.name = name
        self.markers = set(markers)

    def get_closest_marker(self, name: str):
        return name if name in self.markers else None

    def __repr__(self) -> str:
        return self.name


def test_the_shares_are_those_xdist_sends_first():
    assert conftest.worksteal_shares(10, 2) == [5, 5]
    assert conftest.worksteal_shares(11, 2) == [5, 6]
    assert conftest.worksteal_shares(10, 3) == [3, 3, 4]
    assert sum(conftest.worksteal_shares(3209, 2)) == 3209


def test_each_share_starts_with_its_turn_of_the_long_items():
    items = [
        Item("b1", "browser"),
        Item("b2", "browser"),
        Item("m1", "matrix"),
        Item("f1", "fuzz"),
        Item("f2", "fuzz"),
        *(Item(f"s{n}") for n in range(9)),
    ]
    ordered = conftest.dealt_long_first(items, 2)
    assert [i.name for i in ordered] == [
        "b1", "m1", "f2", "s0", "s1", "s2", "s3",
        "b2", "f1", "s4", "s5", "s6", "s7", "s8",
    ]  # fmt: skip
    assert sorted(ordered, key=lambda i: i.name) == sorted(items, key=lambda i: i.name)


def test_one_worker_or_too_many_long_items_keep_the_order():
    items = [Item("b1", "browser"), Item("b2", "browser"), Item("b3", "slow"), Item("s0")]
    assert conftest.dealt_long_first(items, 1) == items
    # Three long items cannot go two to a share of two: the order stays as sorted.
    assert conftest.dealt_long_first(items, 2) == items
    short = [Item("s0"), Item("s1"), Item("s2")]
    assert conftest.dealt_long_first(short, 2) == short
