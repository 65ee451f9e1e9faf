"""Reads of audit findings, scoped to the caller: the list, one finding, the findings of one
record, and the statistics by unit, record kind, severity and flag."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from panhuo.core.querying import narrowed, ordered, visible_one
from panhuo.findings.models import CONFIRMED_STATUSES, OPEN_STATUSES, Finding, FindingStatus
from panhuo.flags.models import Flag, FlagStatus, Resolution
from panhuo.flags.registry import RULES

FINDING_ORDERINGS = {
    "code": "code",
    "raised_at": "raised_at",
    "severity": "severity",
    "status": "status",
    "record_kind": "record_kind",
    "record": "record_label",
    "unit": "unit__name",
    "title": "title",
    "jurisdiction": "jurisdiction__path",
}


def get_finding_for(user, pk) -> Finding:
    return visible_one(Finding, user, pk, "jurisdiction", "unit", "raised_by")


def finding_list(
    user,
    *,
    q: str = "",
    status: str = "",
    state: str = "",
    severity: str = "",
    record_kind: str = "",
    record_id: int | None = None,
    unit: int | None = None,
    flag_id: int | None = None,
    jurisdiction=None,
    ordering: str = "-raised_at",
) -> QuerySet[Finding]:
    """The findings ``user`` may read, narrowed by the list's filters; ``state`` is "open" or
    "resolved" (any status of either), or "confirmed" (rectified or referred)."""
    qs = Finding.objects.visible_to(user).select_related("jurisdiction", "unit", "raised_by")
    search = ("code", "title", "record_label", "description")
    qs = narrowed(
        qs,
        q=q,
        search=search,
        status=status,
        severity=severity,
        record_kind=record_kind,
        record_id=record_id,
        unit_id=unit,
        flag_id=flag_id,
    )
    if state == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif state == "resolved":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    elif state == "confirmed":
        qs = qs.filter(status__in=CONFIRMED_STATUSES)
    if jurisdiction is not None:
        qs = qs.filter(jurisdiction__path__startswith=jurisdiction.path)
    return ordered(qs, ordering, FINDING_ORDERINGS, "raised_at", tiebreak="-pk")


def findings_of(user, kind: str, record_id: int) -> QuerySet[Finding]:
    """The findings on one record that ``user`` may read."""
    return Finding.objects.visible_to(user).filter(record_kind=kind, record_id=record_id)


def _counts(qs, field: str) -> list[dict]:
    """Per value of ``field``: the findings, the open ones and each resolution."""
    resolved = {s.value: Count("pk", filter=Q(status=s)) for s in FindingStatus}
    rows = (
        qs.order_by()
        .values(field)
        .annotate(
            total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)), **resolved
        )
        .order_by(field)
    )
    return list(rows)


def finding_statistics(user, *, jurisdiction=None) -> dict:
    """The caller's findings counted by holding unit, record kind, severity and red flag (the
    flag's rule when the flags app names it), each with open and per-resolution counts, and
    the age of the oldest open one in days."""
    qs = finding_list(user, jurisdiction=jurisdiction)
    oldest = qs.filter(status__in=OPEN_STATUSES).order_by("raised_at").first()
    return {
        "total": qs.count(),
        "by_unit": _counts(qs, "unit__name"),
        "by_kind": _counts(qs, "record_kind"),
        "by_severity": _counts(qs, "severity"),
        "from_flags": qs.filter(flag_id__isnull=False).count(),
        "oldest_open_days": (timezone.now() - oldest.raised_at).days if oldest else None,
    }


def flag_statistics(user, *, jurisdiction=None) -> list[dict]:
    """The red flags ``user`` may see, per rule: all, open, each resolution, cleared, and the
    findings raised from them (the flags app's rows, only read)."""

    qs = Flag.objects.visible_to(user)
    if jurisdiction is not None:
        qs = qs.filter(jurisdiction__path__startswith=jurisdiction.path)
    per_resolution = {r.value: Count("pk", filter=Q(resolution=r)) for r in Resolution}
    rows = (
        qs.order_by()
        .values("rule")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status=FlagStatus.OPEN)),
            cleared=Count("pk", filter=Q(status=FlagStatus.CLEARED)),
            **per_resolution,
        )
        .order_by("rule")
    )
    found = finding_list(user, jurisdiction=jurisdiction).filter(flag_id__isnull=False)
    rule_of = dict(qs.filter(pk__in=found.values("flag_id")).values_list("pk", "rule"))
    raised: dict[str, int] = {}
    for flag_id in found.values_list("flag_id", flat=True):
        rule = rule_of.get(flag_id)
        if rule:
            raised[rule] = raised.get(rule, 0) + 1
    out = []
    for r in rows:
        rule = RULES.get(r["rule"])
        out.append({
            "rule": r["rule"], "name": str(rule.label) if rule else r["rule"],
            "total": r["total"], "open": r["open"], "cleared": r["cleared"],
            "resolutions": [r[x.value] for x in Resolution], "findings": raised.get(r["rule"], 0),
        })  # fmt: skip
    return out
