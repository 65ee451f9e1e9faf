"""Working days follow China's shifted calendar, and a jurisdiction's own days over it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.core.models import CalendarDay
from panhuo.core.workdays import (
    add_working_days,
    calendar_known,
    is_working_day,
    provisional,
    statutory_days_off,
    surely_working_day_after,
    working_days_between,
    working_days_since,
    working_days_since_each,
)

D = dt.date


def test_shifted_days_of_2026():
    # Spring Festival 2026: 15-23 February off; Saturday 14 and Saturday 28 February worked.
    assert not is_working_day(D(2026, 2, 16))  # a Monday, holiday
    assert is_working_day(D(2026, 2, 14))  # a Saturday, worked in lieu
    assert is_working_day(D(2026, 2, 28))
    # National Day 2026: 1-7 October off.
    assert not is_working_day(D(2026, 10, 1))
    assert is_working_day(D(2026, 10, 9))


def test_adding_working_days_skips_the_national_day_week():
    # Wednesday 30 September 2026 + 1 working day: 1-7 October are holidays, so 8 October.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # Plain weeks: Friday + 1 = Monday.
    assert add_working_days(D(2026, 6, 5), 1) == D(2026, 6, 8)
    assert add_working_days(D(2026, 6, 5), 0) == D(2026, 6, 5)
    assert add_working_days(D(2026, 6, 6), 0) == D(2026, 6, 8)  # a Saturday: the next one


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="days"):
        add_working_days(D(2026, 6, 5), -1)


def test_a_year_the_library_does_not_know_falls_back_to_weekdays():
    assert calendar_known(D(2026, 1, 1))
    assert not calendar_known(D(2099, 1, 1))
    assert is_working_day(D(2099, 1, 5))  # a Monday
    assert not is_working_day(D(2099, 1, 3))  # a Saturday


@pytest.mark.django_db
def test_a_jurisdictions_own_days_win_and_apply_below_it(world):
    city = world.city
    district = world.district
    monday = D(2026, 6, 8)
    CalendarDay.objects.create(jurisdiction=city, date=monday, working=False, note="local")
    assert not is_working_day(monday, jurisdiction=city)
    assert not is_working_day(monday, jurisdiction=district)  # inherited
    assert is_working_day(monday)  # the national calendar is untouched
    # The district works that day after all: the nearer jurisdiction wins.
    CalendarDay.objects.create(jurisdiction=district, date=monday, working=True)
    assert is_working_day(monday, jurisdiction=district)
    assert not is_working_day(monday, jurisdiction=city)
    assert add_working_days(D(2026, 6, 5), 1, jurisdiction=city) == D(2026, 6, 9)
    assert working_days_between(D(2026, 6, 5), D(2026, 6, 9), jurisdiction=city) == 1
    # Many places at once (a province's scorecards): each counted as it alone would be, a
    # national day over the span too (a Saturday worked everywhere).
    CalendarDay.objects.create(jurisdiction=None, date=D(2026, 6, 13), working=True)
    starts = {D(2026, 5, 29), D(2026, 6, 5), D(2026, 6, 8), D(2026, 6, 12), D(2026, 6, 20)}
    places = {city.path: starts, district.path: starts, None: starts}
    got = working_days_since_each(places, D(2026, 6, 16))
    assert got == {
        p: {s: working_days_between(s, D(2026, 6, 16), jurisdiction=p) for s in starts}
        for p in places
    }
    assert got[city.path][D(2026, 6, 5)] == got[district.path][D(2026, 6, 5)] - 1 == 7


@settings(deadline=None)  # counted day by day: seconds under a loaded machine, not wrong
@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 11, 30)),
    days=st.integers(min_value=1, max_value=40),
)
def test_counting_back_gives_the_same_number(start, days):
    end = add_working_days(start, days)
    assert is_working_day(end)
    assert working_days_between(start, end) == days


@settings(deadline=None)
@given(
    end=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)),
    offsets=st.lists(st.integers(min_value=-120, max_value=10), min_size=1, max_size=5),
)
def test_many_starts_counted_at_once_are_each_counted_alone(end, offsets):
    starts = {end + dt.timedelta(days=n) for n in offsets}
    got = working_days_since(starts, end)
    assert got == {s: working_days_between(s, end) for s in starts}


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_days_off_are_holidays_in_every_published_year(year):
    """Checked against the published calendars (the library's) of the years the amended
    Measures have applied to: each statutory day is a holiday, 13 of them a year."""
    import chinese_calendar

    days = statutory_days_off(year)
    assert len(days) == 13
    assert [d for d in sorted(days) if chinese_calendar.is_workday(d)] == []


def test_an_event_in_an_unpublished_year_avoids_its_statutory_days_off(monkeypatch):
    from panhuo.core import workdays

    monkeypatch.setattr(workdays, "library_knows", lambda year: year <= 2026)
    # New Year's Day is off by law whatever the notice says: the fallback counts weekdays as
    # working but Friday 1 January 2027, so a period ending then ends on Monday 4 January, and
    # it is provisional (the notice may still swap days around it).
    assert not is_working_day(D(2027, 1, 1)) and is_working_day(D(2027, 1, 5))
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == 2
    assert provisional(D(2026, 12, 30), D(2027, 1, 4)) and not calendar_known(D(2027, 1, 4))
    assert surely_working_day_after(D(2026, 12, 31)) == D(2027, 1, 4)
    # Spring Festival 2027: eve Friday 5 February, then 6-8 February; Tuesday 9th is sure.
    assert {D(2027, 2, 5), D(2027, 2, 8), D(2027, 4, 5)} <= statutory_days_off(2027)
    assert surely_working_day_after(D(2027, 2, 4)) == D(2027, 2, 9)
    # In a published year the calendar itself decides (no statutory day is ever working).
    assert surely_working_day_after(D(2026, 2, 13)) == add_working_days(D(2026, 2, 13), 1)
