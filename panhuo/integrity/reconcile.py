"""Rows reconciled with their audit: ``panhuo audit reconcile``.

Every write of an audited business record goes through a service that appends an entry with
the record's fields (``snapshot``: every field on creation, the changed ones on an update, the
last state on a deletion). Replaying those entries in order gives each record as the services
left it; comparing that with the row in the table shows any change made outside the services
(an UPDATE, INSERT or DELETE in SQL, a script with database access), field by field: table,
id, field, audited value and current value. The chain and the checkpoints prove the entries
themselves untouched (checkpoints.py), so together they cover the rows.

The apps register the models they audit in their ``AppConfig.ready()`` (integrity sits below
them and imports none): ``audited.register(label, Audited(model, ignore=...))``, where
``ignore`` names fields written by design without an entry (counters, caches), each with the
reason in the registering app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from panhuo.core.hooks import Hook
from panhuo.integrity.batches import changes_of
from panhuo.integrity.services import _plain

#: The audited business models, by label (``register.asset``), each an :class:`Audited`.
audited = Hook("integrity.audited")


@dataclass(frozen=True)
class Audited:
    """One model whose every write is audited with its fields (see the module doc)."""

    model: type[models.Model]
    ignore: frozenset[str] = frozenset()

    def __call__(self) -> Audited:  # a Hook holds callables
        return self


@dataclass(frozen=True)
class Difference:
    table: str
    object_id: str
    field: str
    audited: Any
    current: Any

    def describe(self) -> str:
        if self.field == "(row)":
            return _("%(table)s #%(id)s: %(audited)s, but %(current)s") % {
                "table": self.table,
                "id": self.object_id,
                "audited": self.audited,
                "current": self.current,
            }
        return _("%(table)s #%(id)s, %(field)s: audited %(audited)s, current %(current)s") % {
            "table": self.table,
            "id": self.object_id,
            "field": self.field,
            "audited": _show(self.audited),
            "current": _show(self.current),
        }


@dataclass
class ReconcileReport:
    models: int = 0
    records: int = 0
    entries: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _show(value: Any) -> str:
    return "—" if value is None else repr(value) if isinstance(value, str) else str(value)


def _same(kind: str, audited: Any, current: Any) -> bool:
    """The audited JSON value and the row's value are the same value of the field's type."""
    if audited == current:
        return True
    if audited is None or current is None:
        return False
    try:
        if kind == "DecimalField":
            return Decimal(str(audited)) == Decimal(str(current))
        if kind == "DateTimeField":
            return dt.datetime.fromisoformat(str(audited)) == dt.datetime.fromisoformat(
                str(current)
            )
        if kind in {"FloatField"}:
            return float(audited) == float(current)
    except (InvalidOperation, ValueError, TypeError):
        return False
    return str(audited) == str(current)


def replay(label: str) -> tuple[dict[str, dict[str, Any] | None], int]:
    """Each record of ``label`` as its entries leave it (None: deleted), and the entries read."""
    state: dict[str, dict[str, Any] | None] = {}
    n = 0
    for object_id, before, after in changes_of(("object_id", "before", "after"), object_type=label):
        n += 1
        if isinstance(after, dict):
            known = state.get(object_id) or {}
            state[object_id] = {**known, **after}
        elif before is not None:
            state[object_id] = None
    return state, n


def _fields(spec: Audited) -> list[models.Field]:
    return [
        f
        for f in spec.model._meta.concrete_fields
        if f.name not in spec.ignore and f.name != "version" and not f.primary_key
    ]


def reconcile_model(label: str, spec: Audited) -> tuple[list[Difference], int, int]:
    """The differences between ``label``'s rows and its replayed entries; records, entries."""
    state, n = replay(label)
    fields = _fields(spec)
    kinds = {f.name: f.get_internal_type() for f in fields}
    table = spec.model._meta.db_table
    differences: list[Difference] = []
    seen: set[str] = set()
    rows = spec.model._base_manager.order_by("pk").values_list("pk", *[f.attname for f in fields])
    for pk, *values in rows.iterator(chunk_size=5000):
        oid = str(pk)
        seen.add(oid)
        audited_row = state.get(oid, False)
        if audited_row is False:
            differences.append(
                Difference(table, oid, "(row)", _("no audit entry"), _("the row exists"))
            )
            continue
        if audited_row is None:
            differences.append(
                Difference(table, oid, "(row)", _("audited as deleted"), _("the row exists"))
            )
            continue
        for f, value in zip(fields, values, strict=True):
            if f.name not in audited_row:
                continue
            current = _plain(value)
            if not _same(kinds[f.name], audited_row[f.name], current):
                differences.append(Difference(table, oid, f.name, audited_row[f.name], current))
    for oid, audited_row in state.items():
        if audited_row is not None and oid not in seen:
            differences.append(
                Difference(table, oid, "(row)", _("audited as existing"), _("the row is gone"))
            )
    return differences, len(state), n


def registered() -> Iterable[tuple[str, Audited]]:
    return [(label, handler()) for label, handler in audited.handlers]


def reconcile(labels: Iterable[str] | None = None) -> ReconcileReport:
    """Replay every registered model (or those named) and compare, reading one snapshot (on
    PostgreSQL REPEATABLE READ; SQLite's transaction is one already), so a service's write
    landing meanwhile is never half seen as a difference."""
    wanted = set(labels) if labels is not None else None
    report = ReconcileReport()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for label, spec in registered():
            if wanted is not None and label not in wanted:
                continue
            differences, records, entries = reconcile_model(label, spec)
            report.models += 1
            report.records += records
            report.entries += entries
            report.differences += differences
    return report
