"""What open data reads: the portal's notices, every revision (each one is a release), and
nothing else — so that only what a notice published can be released."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from panhuo.portal.models import Notice, NoticeKind


def _notices() -> QuerySet[Notice]:
    """Notice revisions with the two codes an ocid is made of (no other column of a project
    or a place is read)."""
    return Notice.objects.select_related("project", "jurisdiction").only(
        *(f.name for f in Notice._meta.concrete_fields), "project__code", "jurisdiction__code"
    )


def _no_nul(text: str) -> None:
    """A NUL in a URL names nothing (PostgreSQL cannot even compare it): not found."""
    if "\x00" in text:
        raise Http404


def of_process(ocid: str) -> list[Notice]:
    """Every notice revision of the contracting process ``ocid``, oldest first (404 if none)."""
    _no_nul(ocid)
    prefix = settings.PANHUO["OCDS_PREFIX"]
    rest = ocid.removeprefix(prefix) if ocid.startswith(prefix) else None
    place, _, project = (rest or "").rpartition("-")
    rows = list(
        _notices()
        .filter(jurisdiction__code=place, project__code=project)
        .order_by("published_at", "pk")
    )
    if not rows:
        raise Http404
    return rows


def process_of_notice(code: str) -> Notice:
    """The first revision of the public notice ``code`` (404 if there is none)."""
    _no_nul(code)
    found = _notices().filter(code=code).order_by("revision").first()
    if found is None:
        raise Http404
    return found


def settled(rows: list, when) -> list:
    """The first of ``rows`` (in id order) up to the first one written less than
    ``OCDS_FEED_SETTLE`` seconds ago (``when(row)``: when it was written). Ids are taken when a
    row is inserted, but rows become visible when their transaction commits: a row with a lower
    id may appear after one with a higher id was read. Reading only rows older than the longest
    such transaction, and stopping at the first younger one, a cursor by id never passes a row
    that is still to appear."""
    seconds = settings.PANHUO["OCDS_FEED_SETTLE"]
    cutoff = timezone.now() - dt.timedelta(seconds=seconds)
    out = []
    for row in rows:
        if seconds and when(row) > cutoff:
            break
        out.append(row)
    return out


def after(pk: int, limit: int) -> list[Notice]:
    """The change feed: the next ``limit`` notice revisions after ``pk``, in the order they were
    published (a revision is never changed once written, so nothing is missed or repeated),
    those settled only (``settled``)."""
    rows = list(_notices().filter(pk__gt=pk).order_by("pk")[:limit])
    return settled(rows, lambda n: n.published_at)


def results(projects, upto: int | None = None) -> dict[int, Notice]:
    """The newest result notice revision of each of ``projects`` (ids, or a query of them) that
    has one, up to the revision ``upto`` (the change feed's position; None: all)."""
    rows = _notices().filter(kind=NoticeKind.RESULT, project_id__in=projects)
    if upto is not None:
        rows = rows.filter(pk__lte=upto)
    return {n.project_id: n for n in rows.order_by("published_at", "pk")}


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def of_year(year: int) -> QuerySet[Notice]:
    """The revisions published in ``year`` (the place's calendar year), oldest first."""
    if not 1 <= year < 9999:  # no date outside these years: nothing was published then
        return Notice.objects.none()
    start, end = _year_range(year)
    return _notices().filter(published_at__gte=start, published_at__lt=end).order_by("pk")


def last_change(rows: QuerySet[Notice]) -> dt.datetime | None:
    return rows.aggregate(last=Max("published_at"))["last"]


def years() -> list[int]:
    """The years with a published revision, newest first (one bulk file each)."""
    tz = timezone.get_current_timezone()
    found = Notice.objects.annotate(y=ExtractYear("published_at", tzinfo=tz)).values_list(
        "y", flat=True
    )
    return sorted(set(found.distinct()), reverse=True)
