"""The English auction's rules, as pure functions: a lot's book and one bid in, the new book
and the bid rows to append out (or a :class:`Refusal`). No database, no clock: the service
(``auctions.services.bid_place``) reads the book under the lot's row lock, passes the server's
time, and writes what comes back; the hypothesis state machine tests these rules directly.

Proxy (maximum) bids: a bidder gives the most they will pay; the service bids for them, one
increment at a time, only as far as needed. The visible price is

- the starting price for the first bid;
- otherwise the second-highest maximum plus one increment, capped at the leader's maximum
  (a tie goes to the earlier maximum, at that maximum);
- raised to the reserve as soon as the leader's maximum reaches it (a hidden reserve is not
  shown, but "reserve not met" is, until it is).

Soft close: a bid accepted within ``window`` of the end moves the end ``extension`` later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, replace
from decimal import Decimal


@dataclass(frozen=True)
class Book:
    """What the rules need of a lot: its terms and where the bidding stands."""

    start_price: Decimal
    increment: Decimal
    reserve: Decimal
    end_at: dt.datetime
    window: dt.timedelta
    extension: dt.timedelta
    price: Decimal | None = None
    leader: Hashable | None = None
    leader_max: Decimal | None = None

    @property
    def minimum(self) -> Decimal:
        """The least a new bid may offer."""
        return self.start_price if self.price is None else self.price + self.increment

    @property
    def reserve_met(self) -> bool:
        return self.price is not None and self.price >= self.reserve


@dataclass(frozen=True)
class Row:
    """One bid row to append: who, the visible amount, their maximum, placed by the service."""

    bidder: Hashable
    amount: Decimal
    maximum: Decimal
    auto: bool


@dataclass(frozen=True)
class Outcome:
    book: Book
    rows: tuple[Row, ...]
    extended: bool


class Refusal(Exception):
    """A bid the rules refuse: ``code`` names the reason, ``params`` fill its message."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def place(book: Book, bidder: Hashable, maximum: Decimal, now: dt.datetime) -> Outcome:
    """Apply one bid (a maximum) by ``bidder`` at ``now``; refuse it with the reason."""
    if now >= book.end_at:
        raise Refusal("closed", end=book.end_at)
    if not maximum.is_finite() or maximum <= 0:
        raise Refusal("amount")
    minimum = book.minimum
    if maximum < minimum:
        raise Refusal("too_low", minimum=minimum)
    rows: list[Row]
    if book.leader is None:
        leader, leader_max = bidder, maximum
        price = book.start_price
        rows = [Row(bidder, price, maximum, False)]
    elif bidder == book.leader:
        if maximum <= book.leader_max:
            raise Refusal("not_above_own", maximum=book.leader_max)
        leader, leader_max, price = bidder, maximum, book.price
        rows = [Row(bidder, price, maximum, False)]
    elif maximum > book.leader_max:
        leader, leader_max = bidder, maximum
        price = min(maximum, book.leader_max + book.increment)
        rows = []
        if book.leader_max > book.price:
            rows.append(Row(book.leader, book.leader_max, book.leader_max, True))
        rows.append(Row(bidder, price, maximum, False))
    else:
        leader, leader_max = book.leader, book.leader_max
        price = min(leader_max, maximum + book.increment)
        rows = [Row(bidder, maximum, maximum, False), Row(leader, price, leader_max, True)]
    # The leader's maximum reaching the reserve lifts the price to it.
    # (The last row is always the leader's, at the price.)
    lifted = max(price, min(leader_max, book.reserve))
    if lifted != price:
        price = lifted
        rows[-1] = replace(rows[-1], amount=price)
    end_at, extended = book.end_at, False
    if book.end_at - now <= book.window:
        end_at, extended = book.end_at + book.extension, True
    new = replace(book, price=price, leader=leader, leader_max=leader_max, end_at=end_at)
    return Outcome(new, tuple(rows), extended)


def match(book: Book, holder: Hashable) -> Outcome:
    """A priority-purchase-right holder matches the top bid after the close: they take the
    lead at the final price (the rows record it; the end does not move)."""
    if book.price is None or book.leader is None:
        raise Refusal("nothing_to_match")
    if holder == book.leader:
        raise Refusal("already_leading")
    if not book.reserve_met:
        raise Refusal("reserve_not_met")
    new = replace(book, leader=holder, leader_max=book.price)
    return Outcome(new, (Row(holder, book.price, book.price, False),), False)
