"""Working days, as China counts them.

Disclosure periods, payment terms and notice periods are counted in working days, and China
moves working days around its holidays (a Sunday can be a working day, a Thursday a holiday).
The national calendar comes from the maintained ``chinesecalendar`` library, never from a list
kept here. Administrators add days over it as ``CalendarDay`` rows (``core.calendars``): the
State Council's notice for a year the library does not know yet, loaded as national days, or a
jurisdiction's own (a local holiday); a jurisdiction's day wins over a national one, and the
nearest jurisdiction up the tree wins.

For a year that neither the library nor a loaded notice covers, weekdays count as working days
except the days off the law itself fixes (``statutory_days_off``: New Year's Day, the Spring
Festival, Qingming, 1–2 May, the Dragon Boat and Mid-Autumn festivals, 1–3 October), which no
notice can make working; what only the notice says (bridging days, weekends swapped into
working days) is unknown, so ``calendar_known`` / ``provisional`` tell callers, and every
deadline counted in such a year shows as provisional. Deadlines are still counted into such a
year, not refused: the periods run by law whether or not the notice is loaded, the calendar
library lags the notice by weeks each December, and the office is told (the dashboard from 1
November, the calendar page, the system check, a "provisional" badge on each deadline) to
load the notice, which moves every deadline counted through it at once.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

#: A jurisdiction's path ("/1/4/"), or None for the library's national calendar alone, without
#: the days set in the database (pure rules and their tests; every write passes its place).
Path = str | None


def calendar_known(day: dt.date, *, jurisdiction=None) -> bool:
    """Whether ``day``'s year has a published calendar: in the library, or as a notice loaded
    nationally or for ``jurisdiction`` or a jurisdiction above it."""
    return library_knows(day.year) or day.year in _notice_years(_path(jurisdiction))


def library_covers(start: dt.date, end: dt.date) -> bool:
    """Whether the library knows every year from ``start`` to ``end`` (no query needed)."""
    first, last = sorted((start, end))
    return all(library_knows(y) for y in range(first.year, last.year + 1))


def provisional(start: dt.date, end: dt.date, *, jurisdiction=None) -> bool:
    """Whether a date counted in working days from ``start`` to ``end`` rests on a year whose
    calendar is not published yet (it may move when the notice comes out)."""
    first, last = sorted((start, end))
    unknown = {y for y in range(first.year, last.year + 1) if not library_knows(y)}
    # Most dates lie in years the library knows: no query then.
    return bool(unknown) and not unknown <= _notice_years(_path(jurisdiction))


def _notice_years(path: Path) -> set[int]:
    """The years with a notice loaded nationally or on ``path``'s line of jurisdictions."""
    from django.db.models import Q

    from panhuo.core.models import CalendarNotice

    if not path:
        return set()  # the library's calendar alone
    where = Q(jurisdiction__isnull=True) | Q(jurisdiction__path__in=ancestor_paths(path))
    return set(CalendarNotice.objects.filter(where).values_list("year", flat=True))


@lru_cache(maxsize=64)
def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _national(day: dt.date) -> bool:
    if library_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in _days_off_by_law(day.year)


@lru_cache(maxsize=64)
def _days_off_by_law(year: int) -> frozenset[dt.date]:
    """``statutory_days_off`` of ``year``; the fixed-date ones alone for a year beyond the
    lunar tables."""
    try:
        return frozenset(statutory_days_off(year))
    except (ValueError, IndexError, KeyError, NotImplementedError):
        fixed = [(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)]
        return frozenset(dt.date(year, m, d) for m, d in fixed)


def _overrides(path: Path, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """The national and the jurisdiction's own days between start and end; a jurisdiction's
    day wins over a national one, a nearer jurisdiction's over a farther one's."""
    if not path:
        return {}  # the library's calendar alone (pure rules, tests): no database
    return _overrides_each([path], start, end)[path]


def _overrides_each(paths: list[str], start: dt.date, end: dt.date) -> dict[str, dict]:
    """``_overrides`` of each of ``paths`` between start and end, in one query."""
    from django.db.models import Q

    from panhuo.core.models import CalendarDay

    lines = {p: ancestor_paths(p) for p in paths}
    every = sorted({a for line in lines.values() for a in line})
    rows = list(
        CalendarDay.objects.filter(
            Q(jurisdiction__isnull=True) | Q(jurisdiction__path__in=every),
            date__gte=start,
            date__lte=end,
        ).values_list("date", "working", "jurisdiction__path")
    )
    out = {}
    for path, ancestors in lines.items():
        depth = {p: i for i, p in enumerate(ancestors)} | {None: -1}
        best: dict[dt.date, tuple[int, bool]] = {}
        for day, working, jpath in rows:
            d = depth.get(jpath)
            if d is not None and (day not in best or d > best[day][0]):
                best[day] = (d, working)
        out[path] = {day: working for day, (_d, working) in best.items()}
    return out


def ancestor_paths(path: str) -> list[str]:
    """The paths from the root down to ``path``: /1/4/9/ gives /1/, /1/4/ and /1/4/9/."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _path(jurisdiction) -> Path:
    if jurisdiction is None:
        return None
    return jurisdiction if isinstance(jurisdiction, str) else jurisdiction.path


def is_working_day(day: dt.date, *, jurisdiction=None) -> bool:
    """Whether ``day`` is a working day in ``jurisdiction`` (a Jurisdiction, its path, or None)."""
    own = _overrides(_path(jurisdiction), day, day)
    return own.get(day, _national(day))


def add_working_days(start: dt.date, days: int, *, jurisdiction=None) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted).

    A period "of 20 working days from publication" on a Friday ends on the 20th working day
    after it; ``days=0`` gives ``start`` itself when it is a working day, else the next one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    path = _path(jurisdiction)
    # Ample room: 20 working days never span more than ~45 calendar days, even over a festival.
    horizon = start + dt.timedelta(days=days * 2 + 30)
    own = _overrides(path, start, horizon)
    day = start
    counted = 0
    if days == 0:
        while not own.get(day, _national(day)):
            day += dt.timedelta(days=1)
        return day
    while counted < days:
        day += dt.timedelta(days=1)
        if day > horizon:  # pragma: no cover - only with long runs of overridden holidays
            horizon = day + dt.timedelta(days=days * 2 + 30)
            own |= _overrides(path, day, horizon)
        if own.get(day, _national(day)):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, *, jurisdiction=None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    own = _overrides(_path(jurisdiction), start, end)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if own.get(day, _national(day)):
            count += 1
    return count


def working_days_since(starts, end: dt.date, *, jurisdiction=None) -> dict[dt.date, int]:
    """``working_days_between(start, end)`` for each of ``starts`` at once: one read of the
    place's days for the whole span (a scorecard counts every late project's days)."""
    path = _path(jurisdiction)
    return working_days_since_each({path: starts}, end).get(path, {})


def working_days_since_each(
    starts_by_place: dict[Path, object], end: dt.date
) -> dict[Path, dict[dt.date, int]]:
    """``working_days_since`` for many places at once (a province's scorecards count the late
    projects of a hundred jurisdictions): the national days of the whole span read once and
    counted as running totals, the places' own days in one query; each place's count is the
    national one corrected by its own days."""
    places = {p: set(s) for p, s in starts_by_place.items() if s}
    if not places:
        return {}
    first = min(min(s) for s in places.values())
    national: dict[dt.date, bool] = {}
    running = {first: 0}  # national working days after ``first`` up to and including the day
    day, count = first, 0
    while day < end:
        day += dt.timedelta(days=1)
        national[day] = _national(day)
        count += national[day]
        running[day] = count
    paths = [p for p in places if p]  # None: the library's calendar alone, no database
    own = _overrides_each(paths, first, end) if paths and first < end else {}
    out: dict[Path, dict[dt.date, int]] = {}
    for place, starts in places.items():
        moved = [(d, int(w) - int(national[d])) for d, w in own.get(place, {}).items()
                 if d in national and w != national[d]]  # fmt: skip
        out[place] = {
            s: running[end] - running[s] + sum(step for d, step in moved if d > s) if s < end else 0
            for s in starts
        }
    return out


def statutory_days_off(year: int) -> set[dt.date]:
    """The days off the Measures on National Holidays (全国年节及纪念日放假办法, as amended in
    2024, in force from 2025) fix in every year, whatever the State Council's annual notice
    adds: New Year's Day; the Spring Festival's eve and first three days; Qingming; 1–2 May;
    the Dragon Boat and the Mid-Autumn festivals; 1–3 October. The notice only adds bridging
    days and moves working days around these, so in a year it has not published yet they are
    surely days off even though the calendar counts weekdays as working. The lunar dates come
    from ``lunardate``, Qingming (a solar term) from ``chinesecalendar``."""
    from lunardate import LunarDate

    def lunar(month: int, day: int) -> dt.date:
        return LunarDate(year, month, day).to_solar_date()

    new_year = lunar(1, 1)
    spring = {new_year + dt.timedelta(days=n) for n in range(-1, 3)}
    qingming = [
        d
        for d, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
        if name == "清明"
    ]
    fixed = [(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)]
    return (
        {dt.date(year, m, d) for m, d in fixed}
        | spring
        | set(qingming)
        | {
            lunar(5, 5),
            lunar(8, 15),
        }
    )


def surely_working_day_after(start: dt.date, *, jurisdiction=None) -> dt.date:
    """The first working day after ``start`` that is not a statutory day off in a year whose
    calendar is unpublished (``statutory_days_off``): the day to set an event on (a lot's
    opening) before the notice is out, which the notice will not turn into a holiday."""
    day = add_working_days(start, 1, jurisdiction=jurisdiction)
    while not calendar_known(day, jurisdiction=jurisdiction) and (
        day in statutory_days_off(day.year)
    ):
        day = add_working_days(day, 1, jurisdiction=jurisdiction)
    return day
