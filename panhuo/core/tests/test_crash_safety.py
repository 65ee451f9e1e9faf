"""A worker killed (SIGKILL) mid-import leaves the database as it was once its run reads stale
(failed, "the worker stopped"), and a rerun imports the whole file.

Runs a real ``panhuo worker`` process against a real committed database (a SQLite file on the
SQLite run, a PostgreSQL database on the PostgreSQL run), slowed down per batch so that the
kill lands between the first written batch and the last.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid

import pytest

# Tier: see the markers in pyproject.toml.
pytestmark = pytest.mark.slow

ROWS = 5000


def _wait(predicate, timeout: float, what: str, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            _out, err = proc.communicate()
            raise AssertionError(f"the worker exited ({proc.returncode}) before {what}:\n{err}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_leaves_nothing_reads_failed_and_rerun_imports_all(external_db):
    """The kill lands while the worker writes (its file read and checked, some of its short
    transactions committed, importing/writing.py): once the run reads stale, what it wrote is
    reverted and the run reads failed; the rerun imports the whole file."""
    ext = external_db
    prefix = f"K{uuid.uuid4().hex[:8]}"
    # The worker writes 1,000 rows a transaction and pauses 0.5 s after each batch
    # (PANHUO_IMPORT_BATCH_PAUSE), so the kill lands after the first written batch and
    # before the last even on a busy machine. The process that queues the import becomes the
    # worker (``queue_then_work``): a process start-up costs seconds on a loaded machine.
    worker = ext.popen(
        ext.task_argv("queue_then_work", rows=ROWS, prefix=prefix, interval=0.1),
        PANHUO_IMPORT_BATCH_PAUSE="0.5",
        PANHUO_IMPORT_WRITE_BATCH="1000",
    )
    run_id = json.loads(worker.stdout.readline() or "{}").get("run")
    assert run_id, worker.poll() is not None and worker.communicate()[1]
    try:
        written = _wait(lambda: _assets_now(ext, prefix), timeout=60,
                        what="the first written batch", proc=worker)  # fmt: skip
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    assert 0 < written < ROWS, written

    # Right after the kill the heartbeat is still fresh: the run reads as running, with the
    # batches written so far. Once the heartbeat is older than the limit, reading the run marks
    # it failed and queues the undo for a worker (a page never does that long work); a rerun is
    # refused until the undo is done.
    after = ext.call("after_kill", run=run_id, prefix=prefix, stale_after=2)
    state = after["first"]
    assert 0 < state["assets"] < ROWS
    assert state["status"] == "running"
    assert state["audit_ok"]
    state = after["later"]
    assert state["status"] == "failed", state
    assert "being undone" in state["message"], state
    assert "cannot be rerun yet" in after["early_rerun"], after["early_rerun"]

    # A worker undoes what the dead one wrote; then the run says nothing was written, and a
    # rerun is queued (one process: ``work_then_state``).
    state = ext.call("work_then_state", run=run_id, prefix=prefix, then_rerun=True, timeout=240)
    assert state["status"] == "failed" and "nothing was written" in state["message"], state
    assert state["assets"] == 0 and state["audit_ok"]
    new_id = state["rerun"]
    assert new_id != run_id

    # A fresh worker imports every row.
    state = ext.call("work_then_state", run=new_id, prefix=prefix, other=run_id, timeout=240)
    assert state["status"] == "succeeded", state
    assert state["report"]["new"] == ROWS and state["rows"] == ROWS
    assert state["assets"] == ROWS
    assert state["audit_ok"]
    assert state["stopped_run"] == "failed"


def test_worker_killed_right_after_its_commit_reads_imported(external_db):
    """The run's outcome is committed in the import's own transaction: a process that dies
    the moment the rows are committed (before any later statement) leaves the run reading
    succeeded with its report, never "failed … nothing was written", even once stale."""
    ext = external_db
    prefix = f"C{uuid.uuid4().hex[:8]}"
    rows = 300
    proc = ext.popen(ext.task_argv("queue_then_die", rows=rows, prefix=prefix))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 9, err
    run_id = json.loads(out.splitlines()[0])["run"]

    after = ext.call("import_state", run=run_id, prefix=prefix)
    assert after["assets"] == rows
    assert after["status"] == "succeeded", after
    assert after["report"]["new"] == rows and after["rows"] == rows
    assert after["audit_ok"]


def _assets_now(ext, prefix: str) -> int:
    """Assets of the file committed so far, read straight from the database."""
    sql = "SELECT COUNT(*) FROM register_asset WHERE code LIKE %s"
    if ext.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(ext.name, timeout=20) as conn:
            return conn.execute(sql.replace("%s", "?"), [f"{prefix}-%"]).fetchone()[0]
    import psycopg

    with psycopg.connect(ext.url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql, [f"{prefix}-%"]).fetchone()[0]
