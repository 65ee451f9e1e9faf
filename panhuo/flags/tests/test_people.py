"""The people rules: a bidder related to a unit of the sale, parties sharing contacts, the
same buyer winning repeatedly in one place."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from panhuo.disposal.models import ProjectEvent
from panhuo.flags import people
from panhuo.flags.hits import Scope, defaults_only
from panhuo.flags.tests.records import asset, bidder, project, register, relate

DEFAULTS = defaults_only(people.DEFAULTS)


def test_a_bidder_related_to_the_holding_unit_is_flagged_buyer_or_not(world):
    buyer, loser, clean = bidder(world), bidder(world), bidder(world)
    relate(buyer, world.unit)  # holds the asset
    relate(loser, world.unit2, kind="employee")  # a unit of the selling place
    relate(clean, world.other_unit)  # another place's unit: not this sale's
    p = project(world, [asset(world)], buyer=buyer)
    register(p, buyer, loser, clean)
    [hit] = people.related_bidders(Scope(path=world.district.path), DEFAULTS)
    assert hit.subject == p and hit.figures["related_parties"] == 2
    parties = {x["bidder"]: x for x in hit.figures["parties"]}
    assert set(parties) == {buyer.name, loser.name}
    assert parties[buyer.name]["buyer"] is True
    assert parties[buyer.name]["relations"][0]["holds_asset"] is True
    assert parties[loser.name]["relations"][0]["holds_asset"] is False
    assert {world.unit, world.unit2, buyer, loser, p} <= set(hit.records)
    # A place that flags buyers only leaves the losing bidder out.
    [only] = people.related_bidders(Scope(), lambda r, j: {"buyers_only": True})
    assert [x["bidder"] for x in only.figures["parties"]] == [buyer.name]
    # A write touching another bidder recomputes nothing of this sale.
    assert people.related_bidders(Scope(bidder_ids=frozenset({clean.pk})), DEFAULTS) != []
    assert people.related_bidders(Scope(bidder_ids=frozenset({bidder(world).pk})), DEFAULTS) == []


def test_parties_sharing_an_address_phone_or_account(world):
    a = bidder(world, phone="139-0000-1111", account="6222 0000 1111")
    b = bidder(world, phone="13900001111", account="62220000 1111")  # the same, typed apart
    c = bidder(world, address="9 Other Road")
    p = project(world, [asset(world)], buyer=a)
    register(p, a, b, c)
    [hit] = people.shared_contacts(Scope(), DEFAULTS)
    assert hit.figures["pairs"] == [
        {"bidders": [a.name, b.name], "shared": ["phone", "bank_account"]}
    ]
    assert people.shared_contacts(Scope(), lambda r, j: {"min_shared": 3}) == []
    # Parties of different sales share nothing that matters.
    q = project(world, [asset(world)], buyer=c)
    register(q, bidder(world, address=a.address))
    assert len(people.shared_contacts(Scope(), DEFAULTS)) == 1


def test_the_same_buyer_winning_repeatedly_in_one_place(world):
    b = bidder(world)
    now = timezone.now()
    wins = [project(world, [asset(world)], buyer=b) for _ in range(3)]
    for i, p in enumerate(wins):
        ProjectEvent.objects.create(
            project=p,
            transition="conclude",
            from_status="listed",
            to_status="concluded",
            actor=world.user("office"),
        )
        ProjectEvent.objects.filter(project=p).update(at=now - dt.timedelta(days=200 * i))
    # 0, 200 and 400 days ago: two within a year, three within 450 days.
    assert people.repeat_buyers(Scope(), DEFAULTS) == []
    [hit] = people.repeat_buyers(Scope(), lambda r, j: {"min_wins": 3, "window_days": 450})
    assert hit.figures["wins"] == 3 and set(hit.records) == set(wins)
    project(world, [asset(world)], buyer=b)  # a fourth, today (no event: its creation)
    [hit] = people.repeat_buyers(Scope(path=world.district.path), DEFAULTS)
    assert hit.figures["wins"] == 3 and hit.key == f"party:{b.pk}"
    # Another place's deals do not count towards this place's.
    assert people.repeat_buyers(Scope(path=world.other_district.path), DEFAULTS) == []
    assert len(people.repeat_buyers(Scope(project_ids=frozenset({wins[0].pk})), DEFAULTS)) == 1


def test_most_in_window_is_a_sliding_window():
    d = dt.date(2026, 1, 1)
    days = [d + dt.timedelta(days=x) for x in (0, 10, 400, 405, 410, 900)]
    assert people.most_in_window(days, 30) == (3, 2)
    assert people.most_in_window(days, 5) == (2, 2)
    assert people.most_in_window(days[:3], 10) == (2, 0)
    assert people.most_in_window([], 5) == (0, 0)
