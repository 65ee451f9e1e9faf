"""Reads of red flags, scoped by the reader: the list (filters by rule, severity, unit,
status, place and age), one flag, the open ones (the auditor's queue), counts per rule."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone

from panhuo.core.querying import narrowed, ordered, visible_one
from panhuo.flags.models import SEVERITY_RANK, Flag, FlagStatus, Resolution
from panhuo.flags.registry import RULES
from panhuo.organisation.models import Jurisdiction

FLAG_ORDERINGS = {
    "severity": "severity_rank",
    "rule": "rule",
    "first_seen": "first_seen",
    "last_seen": "last_seen",
    "jurisdiction": "jurisdiction__path",
    "unit": "unit__name",
    "subject": "subject_label",
    "status": "status",
}


def get_flag_for(user, pk) -> Flag:
    """Flag ``pk`` if ``user`` may see it (else Flag.DoesNotExist: denied looks missing)."""
    return visible_one(Flag, user, pk, "jurisdiction", "unit", "resolved_by")


def _ranked(qs: QuerySet) -> QuerySet:
    whens = [When(severity=s, then=Value(rank)) for s, rank in SEVERITY_RANK.items()]
    return qs.annotate(severity_rank=Case(*whens, default=Value(0), output_field=IntegerField()))


def flag_list(
    user,
    *,
    q: str = "",
    rule: str = "",
    category: str = "",
    severity: str = "",
    status: str = "",
    resolution: str = "",
    unit: int | None = None,
    jurisdiction: int | None = None,
    older_than_days: int | None = None,
    ordering: str = "-severity",
) -> QuerySet[Flag]:
    """The flags the reader may see, filtered; ``older_than_days``: first seen at least that
    many days ago (an open flag left waiting); ``category``: price, process, people...;
    ``resolution``: one, or "confirmed" (rectified or referred)."""
    qs = _ranked(Flag.objects.visible_to(user).select_related("jurisdiction", "unit"))
    qs = narrowed(
        qs, q=q, search=("subject_label", "rule"), rule=rule, severity=severity,
        status=status, unit_id=unit,
    )  # fmt: skip
    if resolution:
        confirmed = (Resolution.RECTIFIED, Resolution.REFERRED)
        qs = qs.filter(resolution__in=confirmed if resolution == "confirmed" else [resolution])
    if category:
        qs = qs.filter(rule__in=[c for c, r in RULES.items() if r.category == category])
    if jurisdiction:
        place = Jurisdiction.objects.filter(pk=jurisdiction).first()
        qs = qs.filter(jurisdiction__path__startswith=place.path) if place else qs.none()
    if older_than_days is not None:
        qs = qs.filter(first_seen__lte=timezone.now() - dt.timedelta(days=older_than_days))
    return ordered(qs, ordering, FLAG_ORDERINGS, "-severity")


def open_flags(user, **filters) -> QuerySet[Flag]:
    """The open flags the reader may see (the auditor's queue), most severe and oldest first."""
    filters.setdefault("ordering", "-severity")
    return flag_list(user, status=FlagStatus.OPEN, **filters)


def flags_about(user, obj) -> QuerySet[Flag]:
    """The flags the reader may see on one record (a project's page lists them)."""
    return Flag.objects.visible_to(user).filter(
        subject_type=obj._meta.label_lower, subject_id=str(obj.pk)
    )


def counts_by_rule(user, *, status: str = FlagStatus.OPEN) -> dict[str, int]:
    """How many flags of each rule the reader sees (open by default)."""
    rows = Flag.objects.visible_to(user).filter(status=status).values("rule")
    return {r["rule"]: r["n"] for r in rows.annotate(n=Count("pk")).order_by("rule")}


#: The audited writes that set a flag's evidence (``engine``: opened, then brought up to date).
EVIDENCE_ACTIONS = ("flag.open", "flag.update")


def evidence_as_of(flag_ids, end: dt.datetime) -> dict[int, dict]:
    """Per flag: its evidence as it stood just before ``end`` — what the last opening or update
    the audit log holds from before then wrote — for a page as of a past date (the flag row
    holds only the latest figures). A flag with no such entry is left out. One query."""
    from panhuo.integrity.models import AuditEntry

    rows = (
        AuditEntry.objects.filter(
            object_type=Flag._meta.label_lower, object_id__in=[str(pk) for pk in flag_ids],
            action__in=EVIDENCE_ACTIONS, created_at__lt=end,
        )
        .order_by("seq")
        .values_list("object_id", "after")
    )  # fmt: skip
    out: dict[int, dict] = {}
    for object_id, after in rows:
        out[int(object_id)] = (after or {}).get("evidence") or {}
    return out
