"""Appending to and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from panhuo.core import prepared
from panhuo.core.bulk import insert_rows
from panhuo.core.hooks import Hook
from panhuo.core.validation import full_clean
from panhuo.integrity.models import AuditEntry, AuditHead

GENESIS = "0" * 64

#: Called with ``action``, ``object_type``, ``object_id``, ``before`` and ``after`` of every entry
#: appended (flags reads which fields changed from the last two), inside the write's
#: transaction: how an app above learns what was written without each service calling it
#: (flags queues its rules over the records a write touched; flags/engine.py).
appended = Hook("integrity.appended")
#: The same for many rows at once, in place of the ``appended`` handler of the same key: called
#: with ``rows``, (action, object_type, object_id, before, after) each (``tell_appended``).
appended_many = Hook("integrity.appended_many")


def _plain(value: Any) -> Any:
    """Turn a field value into a JSON value whose text never changes on a round trip."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, float):
        return repr(value)
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete fields of ``instance`` as plain JSON values (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"version"}:
            continue
        data[field.name] = _plain(getattr(instance, field.attname))
    return data


def _hash_of(seq, created_at, actor_id, actor_name, action, otype, oid, orepr, path, before,
             after, prev_hash) -> str:  # fmt: skip
    payload = {
        "seq": seq,
        "created_at": created_at.astimezone(dt.UTC).isoformat(),
        "actor": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": otype,
        "object_id": oid,
        "object_repr": orepr,
        "jurisdiction_path": path,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry: over every field and the previous entry's hash."""
    return _hash_of(
        entry.seq,
        entry.created_at,
        entry.actor_id,
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.jurisdiction_path,
        entry.before,
        entry.after,
        entry.prev_hash,
    )


@dataclass(frozen=True)
class Operator:
    """Whoever runs a command on the server, named by the command (``--operator``, else the
    system account): the actor of what the command writes when no Panhuo user took the step
    (``panhuo token create head`` is the operator's act, not head's)."""

    name: str
    pk = None

    def get_username(self) -> str:
        return f"{self.name} (command line)"[:150]


def system_account() -> str:
    """The account running a command (the one behind sudo when run with it): the default
    operator of what a command writes."""
    import getpass
    import os

    try:
        return os.environ.get("SUDO_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def add_operator_argument(parser) -> None:
    """A command's ``--operator``: who runs it, the actor of what it writes in the audit log
    (``operator_named`` reads it)."""
    parser.add_argument(
        "--operator",
        default="",
        help="Who is running this command, for the audit log (default: the system account).",
    )


def operator_named(name: str) -> str:
    """The ``--operator`` given, else the system account."""
    return name.strip() or system_account()


def actor_label(actor) -> str:
    if isinstance(actor, Operator) or getattr(actor, "pk", None):
        return actor.get_username()
    return "system"


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    jurisdiction_path: str = "",
    along: Sequence[tuple[str, Sequence]] = (),
    access: bool = True,
    tip: tuple[int, str] | None = None,
    notify: bool = True,
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the write's own transaction.

    ``access=False``: the write changes no user, token, role assignment or bidder (a bid), so
    the head's ``access_seq`` stays and the processes' memo of those (organisation/memo.py)
    keeps answering; every other entry moves it.

    ``tip``: the chain's (last seq, last hash) as this transaction read them under the head's
    lock (``head_join``) with nothing appended since, so they are not read again (a bid's
    round trip).

    ``along``: the write's own statements, compiled (SQL, params) and not yet run, to be written
    in the same round trip as the entry (on PostgreSQL one statement, each a writable CTE; on
    SQLite one after the other, before the entry): a hot write, a bid, holds its row lock over
    fewer round trips. They run after the head is locked, all or nothing with the entry.

    ``notify=False``: the ``appended`` hook does not hear this entry (a batch's, whose rows it
    hears instead: integrity/batches.py)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the write's transaction")
    last_seq, last_hash = tip if tip is not None else locked_head()
    named = isinstance(obj, ObjRef)
    entry = AuditEntry(
        seq=last_seq + 1,
        created_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_label(actor),
        action=action,
        object_type=obj.object_type if named else obj._meta.label_lower,
        object_id=str(obj.object_id if named else obj.pk),
        object_repr=(obj.object_repr if named else str(obj))[:255],
        jurisdiction_path=jurisdiction_path,
        before=before,
        after=after,
        prev_hash=last_hash,
    )
    entry.hash = entry_hash(entry)
    _append(entry, along, access)
    for _key, handler in appended.handlers if notify else ():
        handler(action=action, object_type=entry.object_type, object_id=entry.object_id,
                before=before, after=after)  # fmt: skip
    return entry


_HEAD = AuditHead._meta.db_table
_ENTRY_FIELDS = AuditEntry._meta.concrete_fields


def head_join(alias: str = "h") -> tuple[str, str, str]:
    """The chain's tip read (and locked) in another statement: its columns, its join and its
    alias, as ``core.joined.JoinedRead``'s ``also`` (the values then go to ``audit_record``'s
    ``tip``). An inner join: with no head yet the statement finds no row."""
    join = f"INNER JOIN {_HEAD} {alias} ON {alias}.id = 1"
    return f"{alias}.last_seq, {alias}.last_hash", join, alias


def locked_head() -> tuple[int, str]:
    """The chain's tip (last seq, last hash) under the head's row lock, held to the end of the
    caller's transaction (SQLite: its write lock, taken at BEGIN). One plain statement: every
    write of the application comes through here, so the ORM's compiling is saved."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1{lock}")  # noqa: S608 (our table)
        row = cursor.fetchone()
    if row is None:  # a new database: the head is made, locked, on the first write
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        return head.last_seq, head.last_hash
    return row[0], row[1]


def _append(
    entry: AuditEntry, along: Sequence[tuple[str, Sequence]] = (), access: bool = True
) -> None:
    """Insert ``entry`` and move the head to it, under the head's lock. On PostgreSQL one
    statement (the insert in a writable CTE), so the entry and the tip pointing at it cost
    one round trip; either both are written or neither (one statement, one transaction)."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _ENTRY_FIELDS)
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _ENTRY_FIELDS]
    marks = ", ".join(["%s"] * len(values))
    insert = f"INSERT INTO {qn(AuditEntry._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (our table)
    moved = "last_seq = %s, last_hash = %s"
    if access:
        moved += ", access_seq = %s, access_hash = %s"
    move = f"UPDATE {_HEAD} SET {moved} WHERE id = 1"  # noqa: S608 (our table)
    tip = [entry.seq, entry.hash] * (2 if access else 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            writes = [f"w{i} AS ({sql})" for i, (sql, _params) in enumerate(along)]
            first = [p for _sql, params in along for p in params]
            # Prepared once per connection and text (core/prepared.py): planning this
            # statement cost PostgreSQL as much as running it.
            prepared.execute(
                cursor,
                f"WITH {', '.join([*writes, f'e AS ({insert})'])} {move}",
                [*first, *values, *tip],
            )
        else:
            for sql, params in along:
                cursor.execute(sql, params)
            cursor.execute(insert, values)
            cursor.execute(move, tip)
    entry._state.adding, entry._state.db = False, connection.alias


def audit_insert(
    obj: models.Model,
    *,
    actor,
    action: str,
    jurisdiction_path: str,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Validate and insert a new record and append its entry (``after``: its snapshot unless
    given): the one way a service creates a record, so none is created unvalidated or
    unaudited. Must run inside the write's own transaction."""
    full_clean(obj)
    obj.save(force_insert=True)
    return audit_record(
        actor=actor,
        action=action,
        obj=obj,
        after=snapshot(obj) if after is None else after,
        jurisdiction_path=jurisdiction_path,
    )


def audit_update(
    obj: models.Model, *, actor, action: str, before: dict[str, Any] | None, jurisdiction_path: str
) -> AuditEntry:
    """Append the entry of a write to ``obj`` that the service has made: ``before`` its
    snapshot before (None: it did not exist), after its snapshot now. Must run inside the
    write's own transaction."""
    return audit_record(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after=snapshot(obj),
        jurisdiction_path=jurisdiction_path,
    )


def audit_set(
    obj: models.Model,
    values: dict[str, Any],
    *,
    actor,
    action: str,
    jurisdiction_path: str,
    also: tuple[str, ...] = (),
) -> AuditEntry:
    """Set ``values`` on ``obj``, save those fields (and ``also``: what the save itself sets,
    such as an ``auto_now`` time) and append the entry with its snapshots before and after:
    a service's one-step change of a record it holds (locked). Must run inside the write's
    own transaction."""
    before = snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=[*values, *also])
    return audit_update(
        obj, actor=actor, action=action, before=before, jurisdiction_path=jurisdiction_path
    )


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The fields of two snapshots that differ, as (before, after): what an update entry keeps,
    so that the log says what changed and nothing else."""
    return (
        {k: v for k, v in before.items() if after.get(k) != v},
        {k: v for k, v in after.items() if before.get(k) != v},
    )


def save_versioned(obj: models.Model, before: dict[str, Any], *, actor, action: str, path: str):
    """Inside the caller's transaction: save ``obj``, edited in place since its snapshot
    ``before``, as a new ``version`` and audit (``action``) only the fields that changed. A
    save that changes nothing writes nothing (no new version, no entry), so that resubmitting
    a form unchanged leaves no trace that would read as an edit. The entry's values are read
    after the save, so that what the save itself sets (``auto_now`` times) is audited too: the
    reconciliation of rows against their entries (``integrity.reconcile``) compares them."""
    if snapshot(obj) == before:
        return
    obj.version += 1
    obj.save()
    old, new = changed(before, snapshot(obj))
    audit_record(actor=actor, action=action, obj=obj, before=old, after=new, jurisdiction_path=path)


def update_changed[M: models.Model](
    model: type[M],
    pk,
    values: dict[str, Any],
    *,
    actor,
    action: str,
    path,
    fields: list[str] | None = None,
    clean: bool = True,
) -> M:
    """Inside the caller's transaction: lock row ``pk`` of ``model``, set ``values``, and save
    and audit (``action``, with the values before and after) the fields that changed, checked
    by ``full_clean`` unless ``clean`` is off; nothing is written when nothing changed.
    ``fields`` limits what is compared; ``path(row)`` is the entry's jurisdiction path."""
    row = model.objects.select_for_update().get(pk=pk)
    before = snapshot(row, fields)
    for name, value in values.items():
        setattr(row, name, value)
    old, new = changed(before, snapshot(row, fields))
    if new:
        if clean:
            row.full_clean()
        row.save(update_fields=[model._meta.get_field(name).name for name in new])
        audit_record(
            actor=actor, action=action, obj=row, before=old, after=new,
            jurisdiction_path=path(row),
        )  # fmt: skip
    return row


@dataclass(frozen=True)
class ObjRef:
    """An object named without loading it: what bulk writers pass to audit_record_many."""

    object_type: str
    object_id: int | str
    object_repr: str


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_verify(batch: int = 2000) -> VerifyResult:
    """Walk the chain from the start; report the first entry whose hash or link is wrong, or
    the first batch entry (integrity/batches.py) one of whose rows does not match its digest."""
    from panhuo.integrity.batches import is_batch, verify_batch

    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    with transaction.atomic():
        qs = AuditEntry.objects.order_by("seq")
        for entry in qs.iterator(chunk_size=batch):
            if entry.seq != expected_seq:
                return VerifyResult(
                    False, checked, expected_seq, f"entry #{expected_seq} is missing"
                )
            if entry.prev_hash != prev:
                return VerifyResult(
                    False, checked, entry.seq, "its link to the previous entry is wrong"
                )
            if entry_hash(entry) != entry.hash:
                return VerifyResult(
                    False, checked, entry.seq, "its content does not match its hash"
                )
            if is_batch(entry) and (problem := verify_batch(entry)):
                return VerifyResult(False, checked, entry.seq, problem)
            prev = entry.hash
            last_seq = entry.seq
            expected_seq += 1
            checked += 1
        head = AuditHead.objects.filter(id=1).first()
        if head is not None and (head.last_seq != last_seq or head.last_hash != prev):
            return VerifyResult(
                False,
                checked,
                last_seq + 1,
                f"the chain ends at #{last_seq} but its head records #{head.last_seq}",
            )
    return VerifyResult(True, checked)


def audit_record_many(
    *, actor, records: list[tuple[str, models.Model, dict | None, dict | None, str]]
) -> int:
    """Append many entries at once (bulk imports): ``records`` holds (action, obj, before,
    after, jurisdiction_path). Same chain, same hashes as one-by-one, one INSERT per batch."""
    if not records:
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside the write's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    now = timezone.now()
    actor_obj = actor if getattr(actor, "pk", None) else None
    actor_name = actor_label(actor)
    seq, prev = head.last_seq, head.last_hash
    rows = []
    actor_id = actor_obj.pk if actor_obj else None
    for action, obj, before, after, path in records:
        seq += 1
        if isinstance(obj, ObjRef):
            otype, oid, orepr = obj.object_type, str(obj.object_id), obj.object_repr[:255]
        else:
            otype, oid, orepr = obj._meta.label_lower, str(obj.pk), str(obj)[:255]
        digest = _hash_of(seq, now, actor_id, actor_name, action, otype, oid, orepr, path,
                          before, after, prev)  # fmt: skip
        rows.append([seq, now, actor_id, actor_name, action, otype, oid, orepr, path, before,
                     after, prev, digest])  # fmt: skip
        prev = digest

    fields = [
        "seq",
        "created_at",
        "actor",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "jurisdiction_path",
        "before",
        "after",
        "prev_hash",
        "hash",
    ]
    insert_rows(AuditEntry, fields, rows)
    head.last_seq, head.last_hash = seq, prev
    head.access_seq, head.access_hash = seq, prev  # an import may make users or bidders
    head.save(update_fields=["last_seq", "last_hash", "access_seq", "access_hash"])
    tell_appended([(row[4], row[5], row[6], row[9], row[10]) for row in rows])
    # A big commit (an import) is anchored outside the database as soon as it lands.
    from panhuo.integrity.checkpoints import checkpoint_after_commit

    checkpoint_after_commit(len(rows))
    return len(rows)


def tell_appended(rows: list[tuple]) -> None:
    """Tell the ``appended`` handlers of many written rows ((action, object_type, object_id,
    before, after) each): once for a handler with an ``appended_many`` twin, else per row."""
    for key, handler in appended.handlers:
        many = appended_many.get(key)
        if many is not None:
            many(rows=rows)
            continue
        for action, object_type, object_id, before, after in rows:
            handler(action=action, object_type=object_type, object_id=object_id,
                    before=before, after=after)  # fmt: skip
