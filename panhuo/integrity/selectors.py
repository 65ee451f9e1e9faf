"""Reading the audit log, scoped to what the caller may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model, QuerySet

from panhuo.core.querying import narrowed
from panhuo.integrity.batches import changes_of, history_rows
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import policy


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        policy.scope_q(user, "audit", "view", path="jurisdiction_path")
    ).select_related("actor")


AUDIT_ORDERINGS = {
    "seq": "seq",
    "created_at": "created_at",
    "actor": "actor_name",
    "action": "action",
    "object_type": "object_type",
}


def audit_list(
    user,
    *,
    q: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: int | None = None,
    actor_name: str = "",
    seq: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit entries the reader may see, filtered (newest first unless ordered again)."""
    qs = audit_entries_visible_to(user)
    qs = narrowed(
        qs,
        q=q,
        search=("object_repr", "actor_name", "action"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor,
        actor_name__iexact=actor_name,
        seq=seq,
        created_at__date__gte=date_from,
        created_at__date__lte=date_to,
    )
    return qs.order_by("-seq")


def history_of(obj: Model, limit: int | None = None) -> list[AuditEntry]:
    """Every entry about one object, newest first, with the rows batches (imports) wrote about
    it shown as entries (integrity/batches.py); at most ``limit`` of them. The caller has
    already checked access."""
    label, pk = obj._meta.label_lower, str(obj.pk)
    entries = AuditEntry.objects.filter(object_type=label, object_id=pk).select_related("actor")
    entries = list(entries.order_by("-seq")[:limit] if limit else entries.order_by("-seq"))
    merged = sorted([*entries, *history_rows(label, pk)], key=lambda e: e.seq, reverse=True)
    return merged[:limit] if limit else merged


def values_as_of(model, ids, field: str, end, current: dict) -> dict:
    """Each object's ``field`` as it stood just before ``end``: ``current`` (its value now, by
    id) unless an audited write from ``end`` on changed it, then what the first such write
    found (its ``before``). For pages as of a past date. One query."""
    rows = changes_of(
        ("object_id", "before"), object_type=model._meta.label_lower,
        object_id__in=[str(pk) for pk in ids], created_at__gte=end, before__isnull=False,
    )  # fmt: skip
    out, seen = dict(current), set()
    for object_id, before in rows:
        pk = int(object_id)
        if pk in seen or not isinstance(before, dict) or field not in before:
            continue
        seen.add(pk)
        out[pk] = before[field]
    return out
