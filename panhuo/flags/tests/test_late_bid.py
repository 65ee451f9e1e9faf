"""The late bid won flag: a winning bid after the end in force, or in the last minutes of a lot
whose soft close is off; in time, or answered by a soft close, it does not fire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from panhuo.auctions.models import Bid, Lot
from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.registry import RULES
from panhuo.flags.services import thresholds_set
from panhuo.flags.tests.builders import closed_lot

pytestmark = pytest.mark.django_db


def _lot(world, seconds_before_end: list[int], *, window: int):
    """A closed English lot with soft-close ``window`` minutes, one bid per bidder at each
    offset before the end as set up (negative: after it), each higher; the last leads."""
    lot, regs = closed_lot(world, [], registered=len(seconds_before_end))
    end = lot.planned_end_at
    for seq, (reg, before) in enumerate(zip(regs, seconds_before_end, strict=True), start=1):
        Bid.objects.create(lot=lot, registration=reg, seq=seq, amount=Decimal(100000 + seq),
                           maximum=Decimal(100000 + seq),
                           placed_at=end - dt.timedelta(seconds=before), end_at=end)  # fmt: skip
    Lot.objects.filter(pk=lot.pk).update(leader=regs[-1], price=Decimal(100000 + len(regs)),
                                         leader_max=Decimal(100000 + len(regs)),
                                         window_minutes=window, extension_minutes=window,
                                         bid_count=len(regs))  # fmt: skip
    return lot


def _found() -> dict[str, Flag]:
    engine.recompute(rules=["late_bid_won"])
    return {f.subject_id: f for f in Flag.objects.filter(rule="late_bid_won", status="open")}


def test_late_bid_won_fires_after_the_end_or_unanswerable_and_not_just_inside(world):
    sniped = _lot(world, [3600, 300], window=0)  # 300 s before an end that cannot move
    outside = _lot(world, [3600, 301], window=0)  # just outside the five minutes
    answered = _lot(world, [3600, 10], window=5)  # the soft close would have moved the end
    late = _lot(world, [3600, -30], window=5)  # after the end: refused by Panhuo's bidding
    found = _found()
    assert set(found) == {str(sniped.pk), str(late.pk)}
    e = found[str(sniped.pk)].evidence
    assert (e["how"], e["seconds"], e["threshold"]) == ("no_soft_close", 300, 300)
    assert found[str(late.pk)].evidence["how"] == "after_end"
    assert found[str(late.pk)].evidence["seconds"] == 30
    text = RULES["late_bid_won"].explain(e)
    assert "?" not in text and e["winner"] in text and "no soft close" in text
    with translation.override("zh-hans"):
        assert "延时竞价" in RULES["late_bid_won"].explain(e)
    # The place's threshold moves the line: 301 s is late under a threshold of 301, and the
    # sniped lot's 300 s is not under 299.
    for value, expected in (("301", {sniped, outside, late}), ("299", {late})):
        thresholds_set(actor=world.user("head"), jurisdiction=world.district,
                       rule="late_bid_won", values={"last_seconds": value})  # fmt: skip
        assert set(_found()) == {str(lot.pk) for lot in expected}, value
    assert str(answered.pk) not in _found()


def test_identical_prices_in_an_exchange_result(world):
    """An exchange's result has no bid rows: two bidders ranked at the same final price are
    identical bids; a result with different prices is not."""
    from panhuo.auctions.award_models import Award

    day = {"offered_on": dt.date(2026, 1, 5), "due_on": dt.date(2026, 1, 12)}
    found = []
    for second in (Decimal("700000.00"), Decimal("690000.00")):
        lot, regs = closed_lot(world, [], registered=2)
        Award.objects.create(lot=lot, registration=regs[0], rank=1, price=Decimal("700000.00"),
                             status="offered", source="exchange", **day)  # fmt: skip
        Award.objects.create(lot=lot, registration=regs[1], rank=2, price=second,
                             source="exchange")  # fmt: skip
        found.append(str(lot.pk))
    engine.recompute(rules=["identical_bids"])
    flags = {f.subject_id: f for f in Flag.objects.filter(rule="identical_bids", status="open")}
    assert set(flags) == {found[0]}
    assert (flags[found[0]].evidence["count"], flags[found[0]].evidence["amount"]) == (
        2, "700000.00")  # fmt: skip
