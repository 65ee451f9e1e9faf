"""The English auction's rules (engine.place), as a hypothesis state machine: bids by a few
bidders at moving times, against a model that keeps every accepted maximum.

Invariants after every step: the price never decreases; the leader holds the highest maximum
accepted (the earliest of equal ones); the price is at most the leader's maximum and at least
what the runner-up offered; the end only moves later, and only by a bid in the window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from panhuo.auctions import engine

T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


def book(**kw) -> engine.Book:
    terms = dict(start_price=Decimal("100.00"), increment=Decimal("10.00"),
                 reserve=Decimal("150.00"), end_at=T0 + 60 * MIN, window=5 * MIN,
                 extension=5 * MIN)  # fmt: skip
    terms.update(kw)
    return engine.Book(**terms)


class Bidding(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.book = book()
        self.now = T0
        #: bidder → (their highest accepted maximum, the order it was accepted in)
        self.maxima: dict[str, tuple[Decimal, int]] = {}
        self.accepted = 0
        self.last_price: Decimal | None = None
        self.last_end = self.book.end_at

    @rule(seconds=st.integers(min_value=0, max_value=900))
    def time_passes(self, seconds):
        self.now += dt.timedelta(seconds=seconds)

    @rule(
        bidder=st.sampled_from(["a", "b", "c"]),
        amount=st.decimals(min_value=50, max_value=400, places=2),
    )
    def bid(self, bidder, amount):
        before = self.book
        try:
            out = engine.place(before, bidder, amount, self.now)
        except engine.Refusal as refusal:
            if refusal.code == "closed":
                assert self.now >= before.end_at
            elif refusal.code == "too_low":
                assert amount < before.minimum
            else:
                assert refusal.code == "not_above_own"
                assert bidder == before.leader and amount <= before.leader_max
            return
        assert self.now < before.end_at and amount >= before.minimum
        self.accepted += 1
        old = self.maxima.get(bidder)
        if old is None or amount > old[0]:
            self.maxima[bidder] = (amount, self.accepted)
        if out.extended:
            assert before.end_at - self.now <= before.window
            assert out.book.end_at == before.end_at + before.extension
        else:
            assert out.book.end_at == before.end_at
        # Every row is within its bidder's maximum and the visible amounts do not fall.
        amounts = [r.amount for r in out.rows]
        assert amounts == sorted(amounts)
        assert all(r.amount <= r.maximum for r in out.rows)
        assert out.rows[-1].bidder == out.book.leader and out.rows[-1].amount == out.book.price
        self.book = out.book

    @precondition(lambda self: self.book.price is not None)
    @invariant()
    def price_never_decreases(self):
        if self.last_price is not None:
            assert self.book.price >= self.last_price
        self.last_price = self.book.price

    @invariant()
    def end_only_moves_later(self):
        assert self.book.end_at >= self.last_end
        self.last_end = self.book.end_at

    @invariant()
    def leader_holds_the_highest_maximum(self):
        if not self.maxima:
            assert self.book.leader is None and self.book.price is None
            return
        top = max(m for m, _ in self.maxima.values())
        first = min(order for m, order in self.maxima.values() if m == top)
        leader = next(b for b, (m, order) in self.maxima.items() if order == first)
        assert self.book.leader == leader
        assert self.book.leader_max == top
        assert self.book.start_price <= self.book.price <= top
        others = [m for b, (m, _) in self.maxima.items() if b != leader]
        if others:
            # At least what the runner-up offered, and no more than one increment above it
            # (or the reserve, when the leader's maximum reaches it).
            runner_up = max(others)
            assert self.book.price >= min(runner_up, top)
            cap = max(runner_up + self.book.increment, min(top, self.book.reserve))
            assert self.book.price <= max(cap, self.book.start_price)


TestBidding = Bidding.TestCase
TestBidding.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


def test_proxy_bids_resolve_one_increment_above_the_runner_up():
    b = book(reserve=Decimal("100.00"))
    out = engine.place(b, "a", Decimal("300.00"), T0)
    assert out.book.price == Decimal("100.00") and out.book.leader == "a"
    out = engine.place(out.book, "b", Decimal("200.00"), T0)
    assert out.book.price == Decimal("210.00") and out.book.leader == "a"
    assert [(r.bidder, r.amount, r.auto) for r in out.rows] == [
        ("b", Decimal("200.00"), False),
        ("a", Decimal("210.00"), True),
    ]
    out = engine.place(out.book, "b", Decimal("400.00"), T0)
    assert out.book.price == Decimal("310.00") and out.book.leader == "b"


def test_a_tie_goes_to_the_earlier_maximum():
    out = engine.place(book(), "a", Decimal("200.00"), T0)
    out = engine.place(out.book, "b", Decimal("200.00"), T0)
    assert out.book.leader == "a" and out.book.price == Decimal("200.00")


def test_the_leaders_maximum_lifts_the_price_to_a_hidden_reserve():
    out = engine.place(book(reserve=Decimal("180.00")), "a", Decimal("250.00"), T0)
    assert out.book.price == Decimal("180.00") and out.book.reserve_met


def test_a_bid_in_the_window_extends_the_end_and_one_before_it_does_not():
    b = book()
    early = engine.place(b, "a", Decimal("100.00"), b.end_at - 6 * MIN)
    assert not early.extended and early.book.end_at == b.end_at
    late = engine.place(early.book, "b", Decimal("120.00"), b.end_at - MIN)
    assert late.extended and late.book.end_at == b.end_at + 5 * MIN
    with pytest.raises(engine.Refusal) as refused:
        engine.place(late.book, "a", Decimal("500.00"), late.book.end_at)
    assert refused.value.code == "closed"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("109.99"), places=2))
def test_below_the_price_plus_the_increment_is_refused(amount):
    out = engine.place(book(), "a", Decimal("100.00"), T0)
    with pytest.raises(engine.Refusal) as refused:
        engine.place(out.book, "b", amount, T0)
    assert refused.value.code == "too_low"
    assert refused.value.params["minimum"] == Decimal("110.00")


def test_a_priority_holder_matches_the_top_bid_only_when_the_reserve_is_met():
    out = engine.place(book(), "a", Decimal("120.00"), T0)
    with pytest.raises(engine.Refusal) as refused:
        engine.match(out.book, "h")
    assert refused.value.code == "reserve_not_met"
    out = engine.place(out.book, "b", Decimal("200.00"), T0)
    matched = engine.match(out.book, "h")
    assert matched.book.leader == "h" and matched.book.price == out.book.price
