"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain shows an entry changed in place; it cannot show a chain cut short, wiped, or
rewritten with every later hash recomputed, since whoever writes the database can do all of
that. A checkpoint records the head (sequence number, hash, time) signed with the Ed25519 key
that the database never holds (signing.py), appended to a JSON-lines file outside the database
(``PANHUO_AUDIT_CHECKPOINT_FILE``, else ``audit-checkpoints.jsonl`` in the data directory).
Each line also carries the SHA-256 of the line before it, so a line removed from the middle
shows; a supervisor holding a copy of the file (and the public key) sees lines removed from
the end too.

``verify_checkpoints`` compares the chain in the database with every checkpoint since the last
restore: an entry a checkpoint names must still be there with the same hash. A restore puts
the chain back to an earlier state on purpose, so it appends a signed ``restore`` line; the
checkpoints before it describe the history the restore replaced and are only counted.

Checkpoints are made on demand (``panhuo audit checkpoint``), by the worker every
``AUDIT_CHECKPOINT_INTERVAL`` seconds (a task that queues its next run), after any commit that
held a bulk write of ``AUDIT_CHECKPOINT_BULK`` entries or more (an import, written in many
short transactions, once at its end: ``one_checkpoint``), and by restore.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.integrity import signing
from panhuo.integrity.models import AuditEntry, AuditHead
from panhuo.integrity.services import audit_record

log = logging.getLogger(__name__)

FILE_NAME = "audit-checkpoints.jsonl"
GENESIS = "0" * 64
KINDS = ("checkpoint", "restore")


def checkpoint_path() -> Path:
    configured = settings.PANHUO.get("AUDIT_CHECKPOINT_FILE") or ""
    return Path(configured) if configured else Path(settings.DATA_DIR) / FILE_NAME


@dataclass(frozen=True)
class Checkpoint:
    number: int
    kind: str
    seq: int
    hash: str
    at: str
    prev: str
    note: str
    signature: dict[str, Any]
    line_hash: str

    def body(self) -> dict[str, Any]:
        return {
            "v": 1,
            "n": self.number,
            "kind": self.kind,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "prev": self.prev,
            "note": self.note,
        }


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _parse(line: bytes) -> Checkpoint:
    data = json.loads(line)
    return Checkpoint(
        number=int(data["n"]),
        kind=str(data["kind"]),
        seq=int(data["seq"]),
        hash=str(data["hash"]),
        at=str(data["at"]),
        prev=str(data["prev"]),
        note=str(data.get("note", "")),
        signature={k: data.get(k) for k in ("alg", "key", "sig")},
        line_hash=_line_hash(line),
    )


def _lines(path: Path) -> list[bytes]:
    if not path.is_file():
        return []
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The file's checkpoints in order, and the lines that cannot be read (as problems)."""
    result, problems = [], []
    for number, line in enumerate(_lines(path or checkpoint_path()), start=1):
        try:
            result.append(_parse(line))
        except (ValueError, KeyError, TypeError):
            problems.append(_("line %(n)s of the checkpoint file cannot be read") % {"n": number})
    return result, problems


def last_checkpoint(path: Path | None = None) -> Checkpoint | None:
    """The file's last checkpoint, reading only its end (the pages show it on every view;
    the file grows by a line an hour)."""
    path = path or checkpoint_path()
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 8192))
            tail = handle.read()
    except OSError:
        return None
    lines = [line for line in tail.splitlines() if line.strip()]
    for line in reversed(lines[1:] if size > 8192 else lines):
        try:
            return _parse(line)
        except (ValueError, KeyError, TypeError):
            continue
    return None


def _head() -> tuple[int, str]:
    head = AuditHead.objects.filter(id=1).first()
    return (head.last_seq, head.last_hash) if head else (0, GENESIS)


def make_checkpoint(*, kind: str = "checkpoint", note: str = "", force: bool = True):
    """Sign the chain's committed head and append it to the checkpoint file; returns the new
    Checkpoint, or None when ``force`` is off and the last line already records this head."""
    if kind not in KINDS:
        raise ValueError(kind)
    key = signing.private_key()
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    with os.fdopen(fd, "r+b") as handle:
        # One writer at a time, so each line links to the one really before it.
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        lines = [line for line in handle.read().splitlines() if line.strip()]
        seq, head_hash = _head()
        last = None
        if lines:
            try:
                last = _parse(lines[-1])
            except (ValueError, KeyError, TypeError):
                last = None
        if not force and last is not None and (last.seq, last.hash) == (seq, head_hash):
            return None
        body = {
            "v": 1,
            "n": len(lines) + 1,
            "kind": kind,
            "seq": seq,
            "hash": head_hash,
            "at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
            "prev": _line_hash(lines[-1]) if lines else GENESIS,
            "note": note[:200],
        }
        signed = {**body, **signing.sign(signing.canonical(body), key)}
        line = json.dumps(signed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        handle.write(line.encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return _parse(line.encode())


def audit_head_event(*, actor, action: str, after: dict[str, Any]) -> None:
    """An entry about the log itself (e.g. an unsigned backup let in by a restore), recorded
    on the chain's head; inside the caller's transaction."""
    head, _created = AuditHead.objects.get_or_create(id=1)
    audit_record(actor=actor, action=action, obj=head, after=after)


def checkpoint_quietly(note: str, kind: str = "checkpoint") -> None:
    """A checkpoint that never fails its caller (after a commit, in the worker, after a
    restore): problems are logged, and ``panhuo audit verify`` shows a missing checkpoint."""
    try:
        make_checkpoint(note=note, kind=kind, force=kind != "checkpoint")
    except Exception:
        log.exception("The audit checkpoint (%s) could not be made", note)


#: Entries written inside ``one_checkpoint()`` (None outside it).
_held: ContextVar[list[int] | None] = ContextVar("panhuo_checkpoint_held", default=None)


def checkpoint_after_commit(entries: int) -> None:
    """Called by the bulk audit writer: a big commit is checkpointed as soon as it lands."""
    held = _held.get()
    if held is not None:
        held.append(entries)
        return
    threshold = settings.PANHUO.get("AUDIT_CHECKPOINT_BULK", 0)
    if threshold and entries >= threshold:
        transaction.on_commit(lambda: checkpoint_quietly(f"after a commit of {entries} entries"))


@contextmanager
def one_checkpoint() -> Iterator[None]:
    """Bulk writes inside, in as many transactions as they take (an import written in short
    batches), are checkpointed once, at the end, rather than once a transaction."""
    held: list[int] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        entries = sum(held)
        threshold = settings.PANHUO.get("AUDIT_CHECKPOINT_BULK", 0)
        if threshold and entries >= threshold:
            note = f"after commits of {entries} entries"
            transaction.on_commit(lambda: checkpoint_quietly(note))


@task()
def scheduled_checkpoint() -> str:
    """The worker's periodic checkpoint; it queues its own next run."""
    checkpoint_quietly("scheduled")
    schedule_checkpoints(replace=True)
    return "checkpointed"


def schedule_checkpoints(*, replace: bool = False) -> bool:
    """Queue the next scheduled checkpoint unless one is queued (``replace``: the running task
    queues its successor). False when scheduling is off."""
    interval = settings.PANHUO.get("AUDIT_CHECKPOINT_INTERVAL", 0)
    if not interval:
        return False
    if not replace:
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        queued = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=scheduled_checkpoint.module_path
        )
        if queued.exists():
            return True
    run_after = timezone.now() + dt.timedelta(seconds=interval)
    scheduled_checkpoint.using(run_after=run_after).enqueue()
    return True


# --- verifying ------------------------------------------------------------------------------


@dataclass
class CheckpointReport:
    """What the checkpoints say about the chain in the database."""

    total: int = 0
    checked: int = 0
    superseded: int = 0
    problems: list[str] = field(default_factory=list)
    contradicted: Checkpoint | None = None
    contradiction: str = ""
    last: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.contradicted is None


def _signature_problems(
    checkpoints: list[Checkpoint], key: Ed25519PublicKey
) -> tuple[list[str], list[Checkpoint]]:
    """Problems with the file itself (links, signatures) and the checkpoints to trust."""
    problems, trusted = [], []
    mine = signing.fingerprint(key)
    prev = GENESIS
    for cp in checkpoints:
        if cp.prev != prev:
            problems.append(
                _(
                    "checkpoint %(n)s does not follow the line before it: a checkpoint was "
                    "removed or changed"
                )
                % {"n": cp.number}
            )
        prev = cp.line_hash
        if cp.signature.get("key") != mine:
            problems.append(
                _("checkpoint %(n)s is signed by another key (%(key)s)")
                % {"n": cp.number, "key": cp.signature.get("key")}
            )
            continue
        if not signing.verify(signing.canonical(cp.body()), cp.signature, key):
            problems.append(_("checkpoint %(n)s has a wrong signature") % {"n": cp.number})
            continue
        trusted.append(cp)
    return problems, trusted


def verify_checkpoints(
    path: Path | None = None, public_key: Ed25519PublicKey | None = None
) -> CheckpointReport:
    """Check the file's links and signatures, then the chain against every checkpoint made
    since the last restore; name the first checkpoint the chain contradicts."""
    checkpoints, problems = read_checkpoints(path)
    key = public_key or signing.public_key()
    report = CheckpointReport(total=len(checkpoints), problems=problems)
    more, trusted = _signature_problems(checkpoints, key)
    report.problems += more
    restores = [i for i, cp in enumerate(trusted) if cp.kind == "restore"]
    start = restores[-1] if restores else 0
    report.superseded = start
    current = trusted[start:]
    report.last = current[-1] if current else None
    if not current:
        return report
    end = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    wanted = sorted({cp.seq for cp in current if 0 < cp.seq <= end})
    hashes: dict[int, str] = {}
    for i in range(0, len(wanted), 500):
        hashes.update(
            AuditEntry.objects.filter(seq__in=wanted[i : i + 500]).values_list("seq", "hash")
        )
    for cp in current:
        report.checked += 1
        if cp.seq == 0:
            continue
        if cp.seq > end:
            reason = _(
                "it records entry #%(seq)s, but the chain ends at #%(end)s: entries were "
                "removed (the chain was cut short or wiped)"
            ) % {"seq": cp.seq, "end": end}
        elif cp.seq not in hashes:
            reason = _("it records entry #%(seq)s, which is missing") % {"seq": cp.seq}
        elif hashes[cp.seq] != cp.hash:
            reason = _(
                "entry #%(seq)s no longer has the hash it had: the chain was rewritten at or "
                "before that entry"
            ) % {"seq": cp.seq}
        else:
            continue
        report.contradicted, report.contradiction = cp, reason
        break
    return report


def describe(report: CheckpointReport) -> tuple[bool, list[str]]:
    """The report as lines for the command and the audit page: (all good, lines)."""
    lines = []
    if report.total == 0:
        lines.append(
            _(
                "There are no checkpoints yet: run `panhuo audit checkpoint` (the worker makes "
                "them on a schedule)."
            )
        )
    for problem in report.problems:
        lines.append(_("Checkpoint file: %(problem)s.") % {"problem": problem})
    if report.contradicted is not None:
        cp = report.contradicted
        lines.append(
            _("Checkpoint %(n)s of %(at)s is contradicted: %(reason)s.")
            % {"n": cp.number, "at": cp.at, "reason": report.contradiction}
        )
    elif report.last is not None:
        lines.append(
            _(
                "The chain agrees with %(checked)s signed checkpoints (the last: entry "
                "#%(seq)s at %(at)s)."
            )
            % {"checked": report.checked, "seq": report.last.seq, "at": report.last.at}
        )
    if report.superseded:
        lines.append(
            _("%(n)s checkpoints before the last restore describe the replaced history.")
            % {"n": report.superseded}
        )
    return report.ok, lines
