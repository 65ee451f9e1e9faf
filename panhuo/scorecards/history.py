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

- **Assets** (register data quality): an asset's fields are changed in place too, and every
  write of one is audited with the fields it changed, so the same replay gives each asset's
  fields at the end of the day, and the time of its last entry by then is when it was last
  touched (what ``updated_at`` says today). Valuations count from when they were recorded.

What the records cannot tell: the audit entries are dated when they were written, so a step
recorded late (with its own earlier date, ``recorded_late``) counts from the day it was
written, as the overdue list then showed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.integrity.batches import changes_of

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
    state = {pk: r for pk, (r, _at) in _replay(PROJECT, path, on).items()}
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


ASSET = "register.asset"
#: What register quality reads of an asset (the row's names; the audit names foreign keys
#: without ``_id``).
ASSET_FIELDS = ("pk", "code", "unit_id", "kind", "status", "idle_since", "area", "address",
                "acquired_on", "classification_id", "appraised_value")  # fmt: skip


def _replay(object_type: str, path: str, on: dt.date):
    """Each record of ``object_type`` under ``path`` as its audit entries written up to the
    end of ``on`` leave it (deleted ones left out), with the time of its last entry."""
    state: dict[str, dict | None] = {}
    touched: dict[str, dt.datetime] = {}
    # Entries and the rows of batch entries (an import's: integrity/batches.py), in order.
    entries = changes_of(
        ("object_id", "before", "after", "created_at"), object_type=object_type,
        jurisdiction_path__startswith=path, created_at__lt=end_of(on),
    )  # fmt: skip
    for object_id, before, after, at in entries:
        touched[object_id] = at
        if isinstance(after, dict):
            state[object_id] = {**(state.get(object_id) or {}), **after}
        elif before is not None:
            state[object_id] = None  # deleted
    return {k: (r, touched[k]) for k, r in state.items() if r}


def assets_on(path: str, on: dt.date, leave_out: tuple[str, ...] = ()) -> list[dict]:
    """The assets of ``path``'s units (and below) as the replay of their audit entries leaves
    them at the end of ``on`` (see the module doc), but those whose status then was one of
    ``leave_out``: dicts of ``ASSET_FIELDS`` and ``touched`` (the day of the last write), by
    code. (Today's figures are counted from the rows in the database: ``parts.quality``.)"""
    out = []
    for pk, (r, at) in _replay(ASSET, path, on).items():
        if r.get("status") in leave_out:
            continue
        got = {f: r.get(f.removesuffix("_id")) for f in ASSET_FIELDS}
        out.append(got | {"pk": int(pk), "touched": timezone.localdate(at)})
    return sorted(out, key=lambda a: (a["code"] or "", a["pk"]))
