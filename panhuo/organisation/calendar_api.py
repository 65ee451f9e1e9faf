"""API: the working-day calendar — the days set over the national calendar library, the loaded
notices, and whether a year's deadlines are final or provisional (core/calendars.py).

Everyone with a role reads the calendar of their jurisdictions and the national one; the head
and the office load a year's notice and set a jurisdiction's days (national ones need a role
over the whole installation).
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from panhuo.core import calendars
from panhuo.core.api import PagePagination, actor, referenced, referenced_jurisdiction, require_any
from panhuo.core.schemas import ERRORS, BusinessDate, Id, Text
from panhuo.organisation import policy

router = Router(tags=["calendar"])


class CalendarQuery(Schema):
    year: int | None = Field(None, ge=1900, le=2100, description="Only this year's days.")
    jurisdiction: Id | None = Field(
        None, description="Only the days that apply in this jurisdiction (its line and national)."
    )


class CalendarDayOut(Schema):
    id: int
    date: dt.date
    working: bool
    note: str
    jurisdiction: int | None = Field(None, alias="jurisdiction_id")
    notice: int | None = Field(None, alias="notice_id")


class CalendarDayIn(Schema):
    date: BusinessDate
    working: bool = Field(description="true: a working day; false: a holiday.")
    note: Text = Field("", max_length=200, description="Why (a weekend working day needs one).")
    jurisdiction: Id | None = Field(
        description="Id of the jurisdiction the day applies in (and below); null: national."
    )


class NoticeQuery(Schema):
    year: int | None = Field(None, ge=1900, le=2100, description="Only this year's notices.")


class CalendarNoticeOut(Schema):
    id: int
    year: int
    source: str
    jurisdiction: int | None = Field(None, alias="jurisdiction_id")
    day_count: int
    created_at: dt.datetime


class CalendarNoticeIn(Schema):
    year: int = Field(ge=1900, le=2100)
    source: Text = Field(max_length=200, description="The notice's title or document number.")
    lines: Text = Field(
        max_length=20000,
        description="One day per line: `YYYY-MM-DD, holiday|working[, note]` (or 休/班).",
    )
    jurisdiction: Id | None = Field(
        description="Id of the jurisdiction the notice applies in (and below); null: national."
    )
    replace: bool = Field(False, description="Replace a notice already loaded for that year.")


class YearStatusQuery(Schema):
    year: int = Field(ge=1900, le=2100)
    jurisdiction: Id | None = None


class YearStatusOut(Schema):
    year: int
    source: str = Field(description="library, notice, or empty while the year is provisional.")
    provisional: bool
    notice: int | None


def _managed_jurisdiction(request: HttpRequest, pk: int | None):
    if pk is None:
        return None
    return referenced_jurisdiction(
        actor(request),
        pk,
        lambda user, i: policy.jurisdictions_for(user, "calendar", "manage").get(pk=i),
    )


@router.get("/calendar/days", response={200: list[CalendarDayOut], **ERRORS})
@paginate(PagePagination)
def calendar_day_index(request: HttpRequest, filters: Query[CalendarQuery]):
    """The days set over the library's calendar, by date."""
    require_any(request, "calendar", "view")
    return calendars.calendar_days(actor(request), **filters.dict())


@router.put("/calendar/days", response={200: CalendarDayOut, **ERRORS})
def calendar_day_set(request: HttpRequest, payload: CalendarDayIn):
    """Set one day as a working day or a holiday (national without ``jurisdiction``)."""
    require_any(request, "calendar", "manage")
    return calendars.calendar_day_set(
        actor=actor(request),
        date=payload.date,
        working=payload.working,
        note=payload.note,
        jurisdiction=_managed_jurisdiction(request, payload.jurisdiction),
    )


def _take_back(request: HttpRequest, field: str, pk: int, rows, delete) -> Status:
    """Delete the row ``pk`` of ``rows(user)`` (what the caller sees) with ``delete``."""
    require_any(request, "calendar", "manage")
    user = actor(request)
    row = referenced(field, field.removesuffix("_id"), lambda u, i: rows(u).get(pk=i), user, pk)
    delete(user, row)
    return Status(204, None)


@router.delete("/calendar/days/{day_id}", response={204: None, **ERRORS})
def calendar_day_delete(request: HttpRequest, day_id: Id):
    """Remove a day: the date follows the notice or the library again."""
    return _take_back(
        request, "day_id", day_id, calendars.calendar_days,
        lambda user, day: calendars.calendar_day_delete(actor=user, day=day),
    )  # fmt: skip


@router.get("/calendar/notices", response={200: list[CalendarNoticeOut], **ERRORS})
@paginate(PagePagination)
def calendar_notice_index(request: HttpRequest, filters: Query[NoticeQuery]):
    """The loaded notices, newest year first."""
    require_any(request, "calendar", "view")
    return calendars.calendar_notices(actor(request), year=filters.year)


@router.post("/calendar/notices", response={201: CalendarNoticeOut, **ERRORS})
def calendar_notice_load(request: HttpRequest, payload: CalendarNoticeIn):
    """Load a year's notice: every day in, or none with the lines' errors named."""
    require_any(request, "calendar", "manage")
    user = actor(request)
    notice = calendars.calendar_notice_load(
        actor=user,
        year=payload.year,
        source=payload.source,
        text=payload.lines,
        jurisdiction=_managed_jurisdiction(request, payload.jurisdiction),
        replace=payload.replace,
    )
    return Status(201, calendars.calendar_notices(user).get(pk=notice.pk))


@router.delete("/calendar/notices/{notice_id}", response={204: None, **ERRORS})
def calendar_notice_delete(request: HttpRequest, notice_id: Id):
    """Take a loaded notice back with its days."""
    return _take_back(
        request, "notice_id", notice_id, calendars.calendar_notices,
        lambda user, notice: calendars.calendar_notice_delete(actor=user, notice=notice),
    )  # fmt: skip


@router.get("/calendar/status", response={200: YearStatusOut, **ERRORS})
def calendar_year_status(request: HttpRequest, filters: Query[YearStatusQuery]):
    """Whether deadlines counted in ``year`` are final (library or notice) or provisional."""
    require_any(request, "calendar", "view")
    jurisdiction = None
    if filters.jurisdiction is not None:
        jurisdiction = referenced_jurisdiction(actor(request), filters.jurisdiction)
    status = calendars.year_status(filters.year, jurisdiction=jurisdiction)
    return {
        "year": status.year,
        "source": status.source,
        "provisional": status.provisional,
        "notice": status.notice.pk if status.notice else None,
    }
