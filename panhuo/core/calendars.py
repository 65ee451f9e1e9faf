"""The working-day calendar as administrators keep it: the State Council's annual notice for a
year the calendar library does not know yet, and a jurisdiction's own days.

The library (``chinesecalendar``) is updated once a year, some weeks after the State Council
publishes the next year's holidays in November or December. Until it is, every deadline counted
into that year would treat New Year's Day as a working day. So an administrator loads the notice
as a list of dates (``notice_lines``: a page, the API, or ``panhuo calendar import FILE``); the
days apply at once to every period counted through them, and the year stops being provisional
(``core.workdays``). A system check (``missing_next_year``) warns from 1 November while next
year has neither.

Every write is all-or-nothing and audited. Loading is refused, naming the line, for a date
given twice, a date outside the year, a weekend marked as a working day without a reason (an
adjusted working day says which holiday it makes up for), or a line that is not a date and a
kind.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.checks import Warning as CheckWarning
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core import workdays
from panhuo.core.errors import ValidationError, field_error
from panhuo.core.models import CalendarDay, CalendarNotice
from panhuo.core.validation import full_clean
from panhuo.core.workdays import ancestor_paths
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User

#: Words for a holiday and a working day in a notice's lines (English, Chinese, as the State
#: Council's notice and spreadsheets write them).
HOLIDAY_WORDS = frozenset({"holiday", "off", "rest", "休", "假", "休息", "假日", "放假", "节假日"})
WORKING_WORDS = frozenset(
    {"working", "work", "workday", "班", "上班", "补班", "工作日", "调休上班"}
)
MAX_LINES = 366
_SPLIT = re.compile(r"\s*[,\t;，；]\s*")


@dataclass(frozen=True)
class NoticeLine:
    """One day of a notice: the date, working or not, and its note (the holiday's name)."""

    line: int
    date: dt.date
    working: bool
    note: str


def _kind(word: str) -> bool | None:
    word = word.strip().lower()
    if word in WORKING_WORDS:
        return True
    if word in HOLIDAY_WORDS:
        return False
    return None


def notice_lines(text: str, *, year: int) -> list[NoticeLine]:
    """Read a notice's days, one per line: ``date, kind[, note]`` (comma, tab, semicolon or
    spaces between; kind ``holiday``/``working`` or 休/班); blank lines and lines starting with
    ``#`` are skipped. Every error, each naming its line, is raised at once."""
    errors: list[str] = []
    days: list[NoticeLine] = []
    seen: dict[dt.date, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        raw = line.strip().lstrip("\ufeff")
        if not raw or raw.startswith("#"):
            continue
        parts = _SPLIT.split(raw, maxsplit=2)
        if len(parts) < 2:
            parts = raw.split(None, 2)
        if len(parts) < 2:
            errors.append(
                _("Line %(n)d: expected a date and a kind (holiday or working), got “%(raw)s”.")
                % {"n": number, "raw": raw[:80]}
            )
            continue
        try:
            day = dt.date.fromisoformat(parts[0].strip())
        except ValueError:
            errors.append(
                _("Line %(n)d: “%(value)s” is not a date (YYYY-MM-DD).")
                % {"n": number, "value": parts[0][:40]}
            )
            continue
        working = _kind(parts[1])
        if working is None:
            errors.append(
                _("Line %(n)d: “%(value)s” is neither holiday (休) nor working (班).")
                % {"n": number, "value": parts[1][:40]}
            )
            continue
        note = parts[2].strip()[:200] if len(parts) > 2 else ""
        errors += _day_problems(number, day, working, note, year=year, seen=seen)
        seen.setdefault(day, number)
        days.append(NoticeLine(number, day, working, note))
    if len(days) > MAX_LINES:
        errors.append(_("A notice has at most %(n)d days.") % {"n": MAX_LINES})
    if not days and not errors:
        errors.append(_("The notice lists no days."))
    if errors:
        raise ValidationError({"lines": errors})
    return days


def _day_problems(
    number: int, day: dt.date, working: bool, note: str, *, year: int, seen: dict
) -> list[str]:
    problems = []
    if day.year != year:
        problems.append(
            _("Line %(n)d: %(day)s is not in %(year)d.")
            % {"n": number, "day": day.isoformat(), "year": year}
        )
    if day in seen:
        problems.append(
            _("Line %(n)d: %(day)s is given twice (first on line %(first)d).")
            % {"n": number, "day": day.isoformat(), "first": seen[day]}
        )
    if working and day.weekday() >= 5 and not note:
        problems.append(
            _(
                "Line %(n)d: %(day)s is a weekend day marked as a working day without a reason: "
                "say which holiday it makes up for."
            )
            % {"n": number, "day": day.isoformat()}
        )
    return problems


def _require(actor: User, jurisdiction: Jurisdiction | None) -> None:
    """A jurisdiction's days need the manage right over it; national days over every
    top-level jurisdiction (the whole installation)."""
    if jurisdiction is not None:
        policy.require(actor, "calendar", "manage", jurisdiction=jurisdiction)
        return
    tops = Jurisdiction.objects.filter(parent__isnull=True)
    if not tops or not all(
        policy.allowed(actor, "calendar", "manage", jurisdiction=j) for j in tops
    ):
        raise policy.NotPermitted(
            _("Only an administrator of the whole installation may change the national calendar.")
        )


def _path(jurisdiction: Jurisdiction | None) -> str:
    return jurisdiction.path if jurisdiction is not None else ""


def calendar_notice_load(
    *,
    actor: User,
    year: int,
    source: str,
    text: str,
    jurisdiction: Jurisdiction | None = None,
    replace: bool = False,
) -> CalendarNotice:
    """Load a year's notice (national without ``jurisdiction``): its days go in, all or none.
    A notice already loaded for that year and place is refused unless ``replace``."""
    _require(actor, jurisdiction)
    if not 1900 <= year <= 2100:
        raise field_error("year", _("The year must be between 1900 and 2100."))
    source = (source or "").strip()
    if not source:
        raise field_error("source", _("Name the notice (its title or document number)."))
    lines = notice_lines(text, year=year)
    with transaction.atomic():
        old = CalendarNotice.objects.filter(year=year, jurisdiction=jurisdiction).first()
        if old is not None and not replace:
            raise field_error(
                "year",
                _("A notice for %(year)d is already loaded here (%(source)s): replace it or load "
                  "another year.") % {"year": year, "source": old.source},
            )  # fmt: skip
        if old is not None:
            _notice_delete(actor, old)
        notice = CalendarNotice(year=year, jurisdiction=jurisdiction, source=source[:200])
        notice.created_by = actor
        full_clean(notice)
        notice.save()
        # The notice's days replace single days set by hand on the same dates.
        CalendarDay.objects.filter(
            jurisdiction=jurisdiction, date__in=[x.date for x in lines]
        ).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(jurisdiction=jurisdiction, date=x.date, working=x.working, note=x.note,
                        notice=notice)
            for x in lines
        )  # fmt: skip
        after = snapshot(notice) | {
            "days": [[x.date.isoformat(), x.working, x.note] for x in lines]
        }
        audit_record(actor=actor, action="calendar.notice_load", obj=notice, after=after,
                     jurisdiction_path=_path(jurisdiction))  # fmt: skip
    return notice


def _notice_delete(actor: User, notice: CalendarNotice) -> None:
    before = snapshot(notice) | {
        "days": [[d.date.isoformat(), d.working, d.note] for d in notice.days.order_by("date")]
    }
    audit_record(actor=actor, action="calendar.notice_delete", obj=notice, before=before,
                 jurisdiction_path=_path(notice.jurisdiction))  # fmt: skip
    notice.delete()


def calendar_notice_delete(*, actor: User, notice: CalendarNotice) -> None:
    """Take a loaded notice back (a wrong file): its days go, the year is provisional again
    unless the library knows it. Deadlines already recorded keep their dates."""
    _require(actor, notice.jurisdiction)
    with transaction.atomic():
        _notice_delete(actor, notice)


def calendar_day_set(
    *,
    actor: User,
    date: dt.date,
    working: bool,
    note: str = "",
    jurisdiction: Jurisdiction | None = None,
) -> CalendarDay:
    """Set one day (a local holiday, a correction): working or not, with its reason."""
    _require(actor, jurisdiction)
    note = (note or "").strip()[:200]
    if working and date.weekday() >= 5 and not note:
        raise field_error(
            "note",
            _("%(day)s is a weekend day: say why it is a working day (which holiday it makes up "
              "for).") % {"day": date.isoformat()},
        )  # fmt: skip
    with transaction.atomic():
        day = CalendarDay.objects.filter(jurisdiction=jurisdiction, date=date).first()
        before = snapshot(day) if day is not None else None
        if day is None:
            day = CalendarDay(jurisdiction=jurisdiction, date=date)
        day.working, day.note, day.notice = working, note, None
        full_clean(day)
        day.save()
        audit_record(actor=actor, action="calendar.day_set", obj=day, before=before,
                     after=snapshot(day), jurisdiction_path=_path(jurisdiction))  # fmt: skip
    return day


def calendar_day_delete(*, actor: User, day: CalendarDay) -> None:
    """Remove one day: the date follows the notice or the library again."""
    _require(actor, day.jurisdiction)
    with transaction.atomic():
        audit_record(actor=actor, action="calendar.day_delete", obj=day, before=snapshot(day),
                     jurisdiction_path=_path(day.jurisdiction))  # fmt: skip
        day.delete()


def missing_next_year(today: dt.date | None = None) -> int | None:
    """Next year, when from 1 November it has neither the library's calendar nor a national
    notice (deadlines counted into it are provisional); None otherwise."""
    today = today or timezone.localdate()
    nxt = today.year + 1
    if today < dt.date(today.year, 11, 1) or workdays.library_knows(nxt):
        return None
    if CalendarNotice.objects.filter(year=nxt, jurisdiction__isnull=True).exists():
        return None
    return nxt


def check_next_year_calendar(app_configs=None, databases=None, **kwargs) -> list:
    """System check (tag ``database``: it reads the notices, so it runs with ``--database``,
    at ``migrate`` and in ``panhuo calendar status``)."""
    if not databases:
        return []
    # ``migrate`` runs the check before it migrates: on a new database there are no notices.
    if CalendarNotice._meta.db_table not in connection.introspection.table_names():
        return []
    year = missing_next_year()
    if year is None:
        return []
    return [
        CheckWarning(
            _("The working-day calendar for %(year)d is not known yet.") % {"year": year},
            hint=_(
                "Load the State Council's notice of %(year)d's holidays (Calendar page, or "
                "`panhuo calendar import FILE --year %(year)d`); until then every deadline "
                "counted into %(year)d is provisional."
            )
            % {"year": year},
            id="panhuo.W101",
        )
    ]


# --- Reads ----------------------------------------------------------------------------------


def calendar_days(user: User, *, year: int | None = None, jurisdiction: int | None = None):
    """The days set over the library's calendar that ``user`` may see: the national ones and
    those of the jurisdictions their roles reach (``jurisdiction``: that one's line only)."""

    rows = CalendarDay.objects.filter(
        Q(jurisdiction__isnull=True)
        | policy.scope_q(user, "calendar", "view", path="jurisdiction__path")
    ).select_related("jurisdiction", "notice")
    if year is not None:
        rows = rows.filter(date__year=year)
    if jurisdiction is not None:
        line = Jurisdiction.objects.filter(pk=jurisdiction).values_list("path", flat=True).first()
        paths = ancestor_paths(line) if line else []
        rows = rows.filter(Q(jurisdiction__isnull=True) | Q(jurisdiction__path__in=paths))
    return rows.order_by("date", "jurisdiction__path", "pk")


def calendar_notices(user: User, *, year: int | None = None):
    """The loaded notices ``user`` may see (national ones and their jurisdictions')."""

    rows = CalendarNotice.objects.filter(
        Q(jurisdiction__isnull=True)
        | policy.scope_q(user, "calendar", "view", path="jurisdiction__path")
    )
    if year is not None:
        rows = rows.filter(year=year)
    return rows.select_related("jurisdiction", "created_by").annotate(day_count=Count("days"))


@dataclass(frozen=True)
class YearStatus:
    """Where a year's calendar comes from: the library, a notice, or nowhere yet."""

    year: int
    source: str  # "library", "notice" or "" (provisional)
    notice: CalendarNotice | None

    @property
    def provisional(self) -> bool:
        return not self.source


def year_status(year: int, *, jurisdiction: Jurisdiction | None = None) -> YearStatus:
    """Whether deadlines counted in ``year`` are final, and why."""

    if workdays.library_knows(year):
        return YearStatus(year, "library", None)
    where = Q(jurisdiction__isnull=True)
    if jurisdiction is not None:
        where |= Q(jurisdiction__path__in=ancestor_paths(jurisdiction.path))
    notice = CalendarNotice.objects.filter(where, year=year).order_by("-jurisdiction__path").first()
    return YearStatus(year, "notice" if notice else "", notice)
