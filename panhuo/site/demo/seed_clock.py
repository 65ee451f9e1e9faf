"""The seed's clock: the demo happens on working days, in office hours, up to the seeding day.

Every service the seed calls reads the time from ``django.utils.timezone.now`` (the audit entry's
time, a project's ``state_since``, ``auto_now_add`` columns, "today" in the gates). While the
seed runs, that function is this clock's: it says the seed's own day (the last working day on or
before the day the demo is seeded, or the day a test injects) unless the seeder has moved it back
to the working day an action describes (a unit registered when the task force was founded, an
asset when it was entered in the register, a debt when it was incurred). Within a day it starts
at nine and advances two seconds per reading, to half past five at most, so the audit log
reads as a working office's and two seeds on the same day give the same times.

The real clock comes back when the seed ends, whatever happens (``running``). The seed runs
before the server starts and in one thread, so nothing else reads the patched function.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

from panhuo.core import workdays

OPENS = dt.time(9, 0)
#: Office hours, in seconds after ``OPENS`` (9:00–17:30).
OFFICE_SECONDS = 8 * 3600 + 30 * 60
#: How far one reading moves the clock, in seconds.
STEP = 2


def working_day_on_or_before(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the last working day before it."""
    while not workdays.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The working day ``count`` working days before ``day`` (``day`` itself for 0)."""
    day = working_day_on_or_before(day)
    for _ in range(count):
        day = working_day_on_or_before(day - dt.timedelta(days=1))
    return day


class SeedClock:
    """A deterministic clock over working days, never past ``today``."""

    def __init__(self, today: dt.date):
        self.today = working_day_on_or_before(today)
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.day = self.today
        self.seconds = 0
        #: How far the clock has run on each day it was on: coming back to a day goes on from
        #: there, so the times of one day never run backwards (a project's events keep their
        #: order; the latest scope decision stays the latest).
        self.reached: dict[dt.date, int] = {}

    def on(self, day: dt.date) -> dt.date:
        """Move the clock to the working day on or before ``day`` (never after the seed's own
        day), at nine or where it left that day; returns that day."""
        self.reached[self.day] = self.seconds
        self.day = working_day_on_or_before(min(day, self.today))
        self.seconds = self.reached.get(self.day, 0)
        return self.day

    def after(self, day: dt.date, days: int = 0) -> dt.date:
        """Move the clock to the working day on or after ``day`` plus ``days`` calendar days
        (never past the seed's own day): the day something dated ``day`` was recorded."""
        day += dt.timedelta(days=days)
        while day < self.today and not workdays.is_working_day(day):
            day += dt.timedelta(days=1)
        return self.on(day)

    def at(self, hour: int, minute: int = 0) -> None:
        """Move on to ``hour:minute`` of the clock's day (never back, never past the close)."""
        target = (hour - OPENS.hour) * 3600 + (minute - OPENS.minute) * 60
        self.seconds = min(max(self.seconds, target), OFFICE_SECONDS - 1)

    def back_to_today(self) -> None:
        self.on(self.today)

    def now(self) -> dt.datetime:
        # Held at the close rather than wrapped: the order of two readings is never reversed
        # (the latest scope decision is the one with the latest time).
        self.seconds = min(self.seconds + STEP, OFFICE_SECONDS - 1)
        opens = dt.datetime.combine(self.day, OPENS, tzinfo=self.zone)
        return opens + dt.timedelta(seconds=self.seconds)


@contextmanager
def running(clock: SeedClock) -> Iterator[SeedClock]:
    """Let ``clock`` tell the time to everything the seed calls, until the block ends."""
    real = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real
