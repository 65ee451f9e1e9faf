"""Reading the audit log, scoped to what the caller may see."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from panhuo.integrity.models import AuditEntry
from panhuo.organisation import policy


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        policy.scope_q(user, "audit", "view", path="jurisdiction_path")
    ).select_related("actor")


def history_of(obj: Model) -> QuerySet[AuditEntry]:
    """Every entry about one object, newest first. The caller has already checked access."""
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")
