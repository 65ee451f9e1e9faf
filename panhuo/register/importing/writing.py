"""Writing a checked import without blocking anyone: short transactions, all or nothing kept.

The engine first reads and checks the whole file with no transaction open (nothing written, so
no lock: a dry run ends there). Only then are the checked batches written, each in its own short
transaction holding the write lock (SQLite) and the audit chain's head for one batch; between
batches other users' writes go through (on SQLite the import also pauses
``IMPORT_WRITE_PAUSE`` seconds, longer than SQLite's busy handler sleeps, so a waiting writer is
never starved — once per ``IMPORT_WRITE_SLICE`` seconds of writing, not after every batch:
SQLite cannot tell the import whether anyone waits, and a pause per 1,000 rows was 150 s of a
1 M-row import's sleep). Each batch re-checks its rows against the register as it then stands.

All or nothing is kept by undoing, not by one long transaction: if a batch fails, a row turns
out rejected at write time (all-or-nothing mode), the run is cancelled while writing or its
worker dies, every batch already written is reverted from its audit entries (assets the import
created are deleted, assets it updated get their former values back; an asset someone changed
meanwhile is left as they left it), each reversal with its own audit entry. A dead worker's run
is reverted by whoever finds it stale (``imports.fail_if_stale``). The run's final status is
committed with the last batch, so it reads succeeded exactly when every row is in.

A target without a ``revert`` (debts: files of hundreds of rows) writes its checked batches in
one transaction instead.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction

from panhuo.integrity.checkpoints import one_checkpoint
from panhuo.register.importing.report import ImportCancelled, Report


class RejectedAtWrite(Exception):
    """A row was rejected while writing (the register changed since the check)."""


def write_pause() -> float:
    """Seconds between two written batches: ``PANHUO_IMPORT_WRITE_PAUSE``, else 0.15 s on
    SQLite (longer than the busy handler's longest sleep, 0.1 s) and none on PostgreSQL, whose
    lock queue is fair."""
    pause = settings.PANHUO.get("IMPORT_WRITE_PAUSE")
    if pause is not None:
        return float(pause)
    return 0.15 if connection.vendor == "sqlite" else 0.0


def write_slice() -> float:
    """Seconds of writing between two pauses: ``PANHUO_IMPORT_WRITE_SLICE``, else 0.5 s — a
    waiting writer waits at most about this long plus one batch."""
    return float(settings.PANHUO.get("IMPORT_WRITE_SLICE") or 0.5)


def write_batch_size() -> int:
    return int(settings.PANHUO.get("IMPORT_WRITE_BATCH") or 1000)


def spill_rows() -> int:
    """Checked rows kept in memory before the rest go to the temporary file:
    ``PANHUO_IMPORT_SPILL_ROWS``, else 50,000 (about 100 MiB of rows; pickling them out and
    back was a tenth of a 20,000-row import's CPU, for memory it did not need)."""
    value = settings.PANHUO.get("IMPORT_SPILL_ROWS")
    return 50_000 if value is None else int(value)


class Checked:
    """The checked rows of a commit, in order: the first ``spill_rows()`` in memory, the rest
    pickled to ``out`` (a temporary file), so that a file of any size is written with memory
    that does not grow with it."""

    def __init__(self, out: IO[bytes], keep: int | None = None):
        self.out, self.keep = out, spill_rows() if keep is None else keep
        self.kept: list[list] = []
        self.count = 0
        self.spilled = False

    def add(self, batch: list) -> None:
        if not self.spilled and self.count + len(batch) <= self.keep:
            self.kept.append(batch)
            self.count += len(batch)
            return
        self.spilled = True
        pickle.dump(batch, self.out, protocol=pickle.HIGHEST_PROTOCOL)

    def batches(self) -> Iterator[list]:
        yield from self.kept
        if not self.spilled:
            return
        self.out.seek(0)
        while True:
            try:
                yield pickle.load(self.out)  # noqa: S301 (our own temporary file, written above)
            except EOFError:
                return


def spill(out: Checked, batch: list) -> None:
    out.add(batch)


def _rebatched(src: Checked, size: int) -> Iterator[list]:
    pending: list = []
    for batch in src.batches():
        pending.extend(batch)
        while len(pending) >= size:
            yield pending[:size]
            pending = pending[size:]
    if pending:
        yield pending


def write_checked(
    target,
    *,
    actor,
    reader,
    spilled: Checked,
    report: Report,
    source: dict[str, Any],
    valid_only: bool,
    progress: Callable[[int], bool | None] | None,
    finish: Callable[[Report], None] | None,
) -> None:
    """Write the checked rows in ``spilled``; on return ``report`` tells what was kept."""
    written = Report()
    revert = getattr(target, "revert", None)
    pause = write_pause() if revert else 0.0
    held, since = write_slice(), time.monotonic()
    outer = nullcontext() if revert else transaction.atomic()
    pending = None
    started = False
    try:
        with one_checkpoint(), outer:
            stream = _rebatched(spilled, write_batch_size())
            pending = next(stream, None)
            while True:
                batch, pending = pending, next(stream, None)
                last = pending is None
                with transaction.atomic():
                    started = True
                    if batch:
                        target.flush(batch, actor, written, reader, True, source)
                    if written.rejected and not valid_only:
                        raise RejectedAtWrite
                    if last:
                        _final(report, written)
                        if finish is not None:
                            finish(report)
                if last:
                    break
                if progress and progress(report.rows):
                    raise ImportCancelled
                if pause and time.monotonic() - since >= held:
                    time.sleep(pause)
                    since = time.monotonic()
    except RejectedAtWrite:
        if revert and started:
            revert(actor=actor, source=source)
        report.rejected += written.rejected
        for e in written.errors:
            report.add_error(e.row, e.column, e.said)
        report.committed = False
        return
    except BaseException:
        if revert and started:
            revert(actor=actor, source=source)
        report.committed = False
        raise


def _final(report: Report, written: Report) -> None:
    report.new, report.updated, report.unchanged = written.new, written.updated, written.unchanged
    report.secrets.update(written.secrets)
    report.rejected += written.rejected
    for e in written.errors:
        report.add_error(e.row, e.column, e.said)
    report.committed = True
