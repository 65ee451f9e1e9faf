"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field
from panhuo.core.links import page_url


class AuditEntry(models.Model):
    """One write: who did what to which object, with the object before and after.

    ``seq`` is assigned by the writer while it holds the chain head, so it is gap-free;
    ``hash`` covers every field and the previous entry's hash, so editing, reordering or
    deleting any entry breaks the chain from that entry on. Updates are also refused by a
    database trigger (see the migration).
    """

    seq = models.PositiveBigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    actor = actor_field(null=True, blank=True)
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255)
    jurisdiction_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name, verbose_name_plural = _("audit entry"), _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return reverse("audit-list") + f"?seq={self.seq}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field that differs, for display."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditRow(models.Model):
    """One record's change written by a batch (an import): not chained on its own, but held by
    its batch's chained entry (``entry``), whose ``after`` lists every row's digest in
    ``position`` order and their Merkle root (integrity/batches.py). The record's history reads
    these rows with its own entries; ``audit verify`` recomputes each row's digest."""

    entry = models.ForeignKey(
        AuditEntry, on_delete=models.PROTECT, related_name="rows", db_column="seq"
    )
    position = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255)
    jurisdiction_path = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["entry", "position"]
        verbose_name, verbose_name_plural = _("audited row"), _("audited rows")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_row_object_idx")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="audit_row_position")
        ]

    def __str__(self) -> str:
        return f"#{self.entry_id}.{self.position} {self.action} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return reverse("audit-list") + f"?seq={self.entry_id}"


class AuditHead(models.Model):
    """The single row that holds the chain's tip; writers lock it to append in order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    #: The last entry that may have changed who can do what (every entry but those a write
    #: declares access-neutral, ``audit_record(access=False)``: a bid): the key of the
    #: per-process memo of tokens, grants and bidders (organisation/memo.py), which a hot lot's
    #: bids must not move.
    access_seq = models.PositiveBigIntegerField(default=0)
    access_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]

    def __str__(self) -> str:
        return f"audit head at #{self.last_seq}"

    get_absolute_url = page_url("audit-list", None)


from panhuo.integrity.document_models import (  # noqa: E402, F401
    Document,
    DocumentKind,
    DocumentPublication,
)
