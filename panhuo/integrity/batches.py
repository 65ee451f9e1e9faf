"""Batched audit: one chained entry per batch of rows (an import's), holding each row's digest
and their Merkle root; the rows themselves kept, one per record changed, in ``AuditRow``.

A row's digest is SHA-256 over its batch entry's sequence number, its position in the batch,
the time, action, object (type, id, name), jurisdiction and its values before and after, each
value in one canonical JSON text (sorted keys, no spaces), so that a row moved to another batch
or place, or changed in any field, no longer matches. The batch entry is an ordinary link of
the hash chain: its ``after`` holds ``rows`` (how many), ``digests`` (each row's, in position
order), ``root`` (their Merkle root: pairs of nodes hashed as SHA-256 of 0x01 + left + right,
an odd last node carried up unchanged) and ``source`` (the import run, file and write). The
chain covers the digests, the digests cover the rows: ``audit verify`` recomputes every row's
digest from the stored row and names the first row that no longer matches, is missing or is
extra, and checks the root. The root is what one row's proof of inclusion is checked against
(``merkle_proof``) without the other rows.

What this saves an import, against one chained entry per record: the chain's per-entry JSON and
hash (the row's values are serialised once, and that text is both what is stored and what is
hashed), the chain fields of every row (actor, prev hash, hash), and the source repeated in
every record's values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import json
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.bulk import RawJSON, insert_rows
from panhuo.integrity.models import AuditEntry, AuditRow
from panhuo.integrity.services import ObjRef, audit_record, locked_head, tell_appended

#: The entry's ``after`` keys that make it a batch entry (a verified, chained fact).
BATCH_KEYS = ("rows", "digests", "root")


#: A string's JSON text as ``canonical`` writes it (``ensure_ascii=False``).
_text = json.encoder.encode_basestring


def canonical(value: Any) -> str:
    """The one JSON text of a row's value: what is stored and what is hashed."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(seq, position, created_at, action, otype, oid, orepr, path, before: str,
            after: str) -> str:  # fmt: skip
    head = canonical([seq, position, created_at.astimezone(dt.UTC).isoformat(), action, otype,
                      oid, orepr, path])  # fmt: skip
    return hashlib.sha256(f"{head}\n{before}\n{after}".encode()).hexdigest()


class _Heads:
    """``_digest``'s head text for the rows of one batch, made without a JSON encoder per row:
    the batch's sequence number and time are the same for every row, and its action, type and
    jurisdiction repeat (each encoded once). The same text as ``canonical`` of the list (a
    test compares them)."""

    def __init__(self, seq: int, created_at: dt.datetime):
        self.prefix = f"[{int(seq)},"
        self.when = _text(created_at.astimezone(dt.UTC).isoformat())
        self.known: dict[str, str] = {}

    def _known(self, value: str) -> str:
        text = self.known.get(value)
        if text is None:
            text = self.known[value] = "null" if value is None else _text(value)
        return text

    def __call__(self, position: int, action: str, otype: str, oid: str, orepr: str,
                 path: str) -> str:  # fmt: skip
        known = self._known
        return (
            f"{self.prefix}{int(position)},{self.when},{known(action)},{known(otype)},"
            f"{_text(oid)},{_text(orepr)},{known(path)}]"
        )


def row_digest(row: AuditRow) -> str:
    """The digest a stored row must have (its batch entry lists it)."""
    return _digest(row.entry_id, row.position, row.created_at, row.action, row.object_type,
                   row.object_id, row.object_repr, row.jurisdiction_path,
                   canonical(row.before), canonical(row.after))  # fmt: skip


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(digests: Sequence[str]) -> str:
    """The Merkle root of hex digests (an empty batch: SHA-256 of nothing)."""
    level = [bytes.fromhex(d) for d in digests]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        pairs = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


def merkle_proof(digests: Sequence[str], position: int) -> list[tuple[str, str]]:
    """The sibling nodes ("left"/"right", hex) from row ``position`` up to the root."""
    level = [bytes.fromhex(d) for d in digests]
    proof, i = [], position
    while len(level) > 1:
        sibling = i ^ 1
        if sibling < len(level):
            proof.append(("left" if sibling < i else "right", level[sibling].hex()))
        pairs = [_node(level[j], level[j + 1]) for j in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
        i //= 2
    return proof


def proven(digest: str, proof: list[tuple[str, str]], root: str) -> bool:
    """Whether ``digest`` with ``proof`` (``merkle_proof``) leads to ``root``."""
    node = bytes.fromhex(digest)
    for side, other in proof:
        node = (
            _node(bytes.fromhex(other), node)
            if side == "left"
            else _node(node, bytes.fromhex(other))
        )
    return node.hex() == root


def _common_path(paths: list[str]) -> str:
    """The deepest jurisdiction path every row's is under (so the batch is seen where all are)."""
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    return first[: first.rfind("/", 0, i + 1) + 1] if "/" in first[:i] else ""


def audit_record_batch(
    *, actor, action: str, records: list[tuple[str, Any, dict | None, dict | None, str]],
    source: dict[str, Any], what: str,
) -> AuditEntry | None:  # fmt: skip
    """Inside the write's transaction: append one chained entry (``action``) for ``records``
    ((action, obj or ObjRef, before, after, jurisdiction path) each, as ``audit_record_many``
    takes them) and keep each record's row. ``what`` names the rows' kind for the entry's name.
    The ``appended`` hook hears every row, as it would every entry (``tell_appended``)."""
    if not records:
        return None
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_batch must be called inside the write's transaction")
    tip = locked_head()
    seq = tip[0] + 1
    now = timezone.now()
    rows, digests = [], []
    head = _Heads(seq, now)
    sha256 = hashlib.sha256
    for position, (row_action, obj, before, after, path) in enumerate(records):
        if isinstance(obj, ObjRef):
            otype, oid, orepr = obj.object_type, str(obj.object_id), obj.object_repr[:255]
        else:
            otype, oid, orepr = obj._meta.label_lower, str(obj.pk), str(obj)[:255]
        before_text = "null" if before is None else canonical(before)
        after_text = "null" if after is None else canonical(after)
        text = f"{head(position, row_action, otype, oid, orepr, path)}\n{before_text}\n{after_text}"
        digests.append(sha256(text.encode()).hexdigest())
        rows.append([seq, position, now, row_action, otype, oid, orepr, path,
                     None if before is None else RawJSON(before_text),
                     None if after is None else RawJSON(after_text)])  # fmt: skip
    entry = audit_record(
        actor=actor,
        action=action,
        obj=ObjRef(AuditRow._meta.label_lower, source.get("write", ""), f"{len(rows)} {what}"),
        after={
            "rows": len(rows),
            "digests": digests,
            "root": merkle_root(digests),
            "source": source,
        },
        jurisdiction_path=_common_path([r[7] for r in rows]),
        tip=tip,
        notify=False,
    )
    insert_rows(AuditRow, ["entry", "position", "created_at", "action", "object_type",
                           "object_id", "object_repr", "jurisdiction_path", "before", "after"],
                rows)  # fmt: skip
    tell_appended([(r[3], r[4], r[5], record[2], record[3])
                   for r, record in zip(rows, records, strict=True)])  # fmt: skip
    from panhuo.integrity.checkpoints import checkpoint_after_commit

    checkpoint_after_commit(len(rows))
    return entry


def is_batch(entry: AuditEntry) -> bool:
    return isinstance(entry.after, dict) and all(k in entry.after for k in BATCH_KEYS)


def verify_batch(entry: AuditEntry) -> str:
    """What is wrong with the rows of batch ``entry`` (its chain link already checked), naming
    the row; "" when every row matches its digest and the digests their root."""
    digests = entry.after.get("digests") or []
    if merkle_root(digests) != entry.after.get("root") or len(digests) != entry.after.get("rows"):
        return _("its row digests do not match its Merkle root")
    seen = 0
    for row in AuditRow.objects.filter(entry_id=entry.seq).order_by("position").iterator(2000):
        named = {"position": row.position, "type": row.object_type, "id": row.object_id,
                 "name": row.object_repr}  # fmt: skip
        if row.position >= len(digests) or row.position != seen:
            return _("row %(position)s (%(type)s #%(id)s %(name)s) is not one of its rows") % named
        if row_digest(row) != digests[row.position]:
            return (
                _(
                    "row %(position)s (%(type)s #%(id)s %(name)s) does not match its digest: "
                    "the row was changed after it was written"
                )
                % named
            )
        seen += 1
    if seen != len(digests):
        return _("row %(position)s of %(rows)s is missing") % {"position": seen,
                                                                "rows": len(digests)}  # fmt: skip
    return ""


def as_entry(row: AuditRow, batch: AuditEntry | None = None) -> AuditEntry:
    """A row shaped as an entry (unsaved), for the pages and the API that show a history: its
    batch's seq, actor and time, its own action, object and values; ``hash`` its digest."""
    entry = AuditEntry(
        seq=row.entry_id, created_at=row.created_at, action=row.action,
        object_type=row.object_type, object_id=row.object_id, object_repr=row.object_repr,
        jurisdiction_path=row.jurisdiction_path, before=row.before, after=row.after,
        actor_id=batch.actor_id if batch else None,
        actor_name=batch.actor_name if batch else "", prev_hash="", hash=row_digest(row),
    )  # fmt: skip
    if batch is not None and batch.actor_id:
        entry.actor = batch.actor
    return entry


def history_rows(object_type: str, object_id: str) -> list[AuditEntry]:
    """An object's rows in batches, as entries (newest first)."""
    rows = list(
        AuditRow.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("entry__actor")
        .order_by("-entry_id", "-position")
    )
    return [as_entry(r, r.entry) for r in rows]


def changes_of(fields: Sequence[str], **filters) -> Iterator[tuple]:
    """(``fields``) of every entry and every batch row matching ``filters`` (field lookups both
    have: object_type, object_id, jurisdiction_path, created_at, before, after), in the order
    written (seq, then position): what a replay of records reads."""
    entries = (
        AuditEntry.objects.filter(**filters).order_by("seq")
        .values_list("seq", models.Value(-1), *fields)
    )  # fmt: skip
    rows = (
        AuditRow.objects.filter(**filters).order_by("entry_id", "position")
        .values_list("entry_id", "position", *fields)
    )  # fmt: skip
    merged = heapq.merge(entries.iterator(chunk_size=5000), rows.iterator(chunk_size=5000),
                         key=lambda t: (t[0], t[1]))  # fmt: skip
    for item in merged:
        yield item[2:]
