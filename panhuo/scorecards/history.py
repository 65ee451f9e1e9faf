"""The records as they stood at the end of a past day, for a card computed as of that day.

- **Projects** (timeliness): a project's state and its time limit change in place (the row
  holds only the current ones), but every write of a project is audited with the fields it
  changed (``integrity``: the creation with all of them; ``panhuo audit reconcile`` proves
  the rows are what the entries replay to). Replaying a place's project entries written up to
  the end of the day gives each project's status, channel and due date then. For today (or a
  later day) the rows are read as they are: the same answer, without the replay.
- **Red flags and audit findings** (compliance) carry the times that decide their state on a
  day: a flag is first seen, then resolved (with its resolution) or cleared, and never
  reopened (a rule that fires again opens a new flag); a finding is raised, then resolved
  once (its status is the resolution). ``parts.compliance`` reads them through those times.

What the records cannot tell: the audit entries are dated when they were written, so a step
recorded late (with its own earlier date, ``recorded_late``) counts from the day it was
written, as the overdue list then showed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.integrity.models import AuditEntry

PROJECT = "disposal.disposalproject"
ENDED = (ProjectStatus.CLOSED, ProjectStatus.WITHDRAWN)


@dataclass(frozen=True)
class ProjectThen:
    """A project as it stood on a day: what timeliness needs of it."""

    pk: int
    code: str
    channel: str
    status: str
    due_on: dt.date | None
    package_id: int
    place: str  # its package's jurisdiction path (the working days are counted there)


def end_of(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _places(package_ids) -> dict[int, str]:
    rows = Package.objects.filter(pk__in=list(package_ids))
    return dict(rows.values_list("pk", "jurisdiction__path"))


def _today(path: str) -> list[ProjectThen]:
    rows = (
        DisposalProject.objects.filter(
            package__jurisdiction__path__startswith=path, due_on__isnull=False
        )
        .exclude(status__in=ENDED)
        .values_list("pk", "code", "channel", "status", "due_on", "package_id",
                     "package__jurisdiction__path")
    )  # fmt: skip
    return [ProjectThen(*row) for row in rows]


def _replayed(path: str, on: dt.date) -> list[ProjectThen]:
    state: dict[str, dict | None] = {}
    entries = (
        AuditEntry.objects.filter(
            object_type=PROJECT, jurisdiction_path__startswith=path, created_at__lt=end_of(on)
        )
        .order_by("seq")
        .values_list("object_id", "before", "after")
    )
    for object_id, before, after in entries.iterator(chunk_size=5000):
        if isinstance(after, dict):
            state[object_id] = {**(state.get(object_id) or {}), **after}
        elif before is not None:
            state[object_id] = None  # deleted
    rows = [
        (int(pk), r) for pk, r in state.items()
        if r and r.get("due_on") and r.get("status") not in ENDED and r.get("package")
    ]  # fmt: skip
    places = _places({r["package"] for _pk, r in rows})
    out = []
    for pk, r in rows:
        due = dt.date.fromisoformat(str(r["due_on"]))
        place = places.get(r["package"], path)
        out.append(ProjectThen(pk, r.get("code", ""), r.get("channel", ""), r["status"], due,
                               r["package"], place))  # fmt: skip
    return out


def projects_on(path: str, on: dt.date) -> list[ProjectThen]:
    """The projects of ``path`` (and below) open at the end of ``on`` with a due date, as they
    stood then (see the module doc), by due date and code."""
    got = _today(path) if on >= timezone.localdate() else _replayed(path, on)
    return sorted(got, key=lambda p: (p.due_on, p.code))
