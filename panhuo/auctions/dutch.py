"""The Dutch (descending) auction's clock, as pure functions: from the starting price the price
falls by one step at the end of each interval until it reaches the floor, where it stays until
the end; the first bidder to accept takes the lot at the price of that moment. The moment is
always the server's (``auctions.bidding.now``, read under the lot's row lock): nothing from
the client's clock enters the price.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def steps_taken(start_at: dt.datetime, interval: dt.timedelta, now: dt.datetime) -> int:
    """How many whole intervals have passed since the start (none before it)."""
    if now <= start_at or interval <= dt.timedelta(0):
        return 0
    return int((now - start_at) // interval)


def price_at(
    *, start_price: Decimal, step: Decimal, floor: Decimal, start_at: dt.datetime,
    interval: dt.timedelta, now: dt.datetime,
) -> Decimal:  # fmt: skip
    """The price at ``now``: the starting price less one step per whole interval, never below
    the floor."""
    fallen = start_price - step * steps_taken(start_at, interval, now)
    return max(floor, fallen)


def next_drop_at(
    *, start_price: Decimal, step: Decimal, floor: Decimal, start_at: dt.datetime,
    interval: dt.timedelta, now: dt.datetime,
) -> dt.datetime | None:  # fmt: skip
    """When the price next falls (None once it rests at the floor)."""
    current = price_at(start_price=start_price, step=step, floor=floor, start_at=start_at,
                       interval=interval, now=now)  # fmt: skip
    if current <= floor:
        return None
    return start_at + interval * (steps_taken(start_at, interval, now) + 1)
