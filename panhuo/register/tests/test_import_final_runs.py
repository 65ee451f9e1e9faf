"""A run that has ended is never run again, and a worker writes in its starter's language
(issue 13's leftovers).

The worker's entry point (``run_import_task``) is called as the worker calls it. A run that
failed, was rejected, cancelled or succeeded may be picked up again (a task retried, an old
queue entry, a second worker): it must keep its status and message, and write nothing. A run
another worker is running is not started a second time either.

A fixed value's column label ("unit (fixed value)") is written into the stored report by the
worker: it reads in the language of who started the run, not in the worker's.
"""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from panhuo.core.testing import build_world
from panhuo.integrity.models import AuditEntry
from panhuo.register import import_liveness, imports
from panhuo.register.import_models import ImportRun
from panhuo.register.models import Asset

pytestmark = pytest.mark.django_db

CSV = (
    "unit,code,name,kind,book_value,status\n"
    "U1,F-1,Old school,building,1000000,idle\n"
    "U1,F-2,Car,vehicle,120000,in_use\n"
)


@pytest.fixture
def w(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return build_world()


def _queued(w, text: str = CSV, **kwargs) -> ImportRun:
    return imports.import_run_create(
        actor=w.user("office"),
        upload=io.BytesIO(text.encode()),
        filename="r.csv",
        commit=True,
        **kwargs,
    )


def test_a_failed_run_picked_up_again_stays_failed_and_writes_nothing(w):
    run = _queued(w)
    stored = imports.imports_dir() / run.stored_path
    kept = stored.read_bytes()
    stored.unlink()  # the worker fails: its file is gone
    with pytest.raises(FileNotFoundError):
        imports.run_import_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    failed = (run.message, run.message_i18n, run.finished_at)

    # The file is back (restored from a backup, say) and the task is picked up again.
    stored.write_bytes(kept)
    audited = AuditEntry.objects.count()
    assert imports.run_import_task.call(run.pk) == ImportRun.Status.FAILED
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert (run.message, run.message_i18n, run.finished_at) == failed
    assert not Asset.objects.exists()
    assert AuditEntry.objects.count() == audited
    # Rerunning it is the way to import the file: a new run, which does import it.
    rerun = imports.import_run_rerun(actor=w.user("office"), run=run)
    assert imports.run_import_task.call(rerun.pk) == ImportRun.Status.SUCCEEDED
    assert Asset.objects.count() == 2


@pytest.mark.parametrize(
    "status",
    [
        ImportRun.Status.SUCCEEDED,
        ImportRun.Status.REJECTED,
        ImportRun.Status.CANCELLED,
        ImportRun.Status.FAILED,
    ],
)
def test_no_final_run_is_processed_again(w, status):
    run = _queued(w)
    ImportRun.objects.filter(pk=run.pk).update(status=status, report={"rows": 7})
    audited = AuditEntry.objects.count()
    assert imports.run_import_task.call(run.pk) == status
    run.refresh_from_db()
    assert run.status == status and run.report == {"rows": 7} and run.started_at is None
    assert not Asset.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_a_run_another_worker_runs_is_not_started_twice(w):
    run = _queued(w)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    import_liveness.beat(run.pk)  # its worker is alive
    assert imports.run_import_task.call(run.pk) == ImportRun.Status.RUNNING
    assert not Asset.objects.exists()


def test_a_queued_run_is_run_once(w):
    run = _queued(w)
    assert imports.run_import_task.call(run.pk) == ImportRun.Status.SUCCEEDED
    audited = AuditEntry.objects.count()
    assert imports.run_import_task.call(run.pk) == ImportRun.Status.SUCCEEDED
    assert Asset.objects.count() == 2 and AuditEntry.objects.count() == audited


@pytest.mark.parametrize(
    ("starter", "worker", "label"),
    [
        ("zh-hans", "en", "unit（固定值）"),
        ("en", "zh-hans", "unit (fixed value)"),
    ],
)
def test_the_fixed_value_label_is_in_the_starters_language(w, starter, worker, label):
    office = w.user("office")
    office.language = starter
    office.save(update_fields=["language"])
    csv = "code,name,kind\nC-1,Shed,building\n"
    run = _queued(w, csv, mapping={"constants": {"unit": "NOPE"}})
    with translation.override(worker):
        assert imports.run_import_task.call(run.pk) == ImportRun.Status.REJECTED
    run.refresh_from_db()
    assert [e["column"] for e in run.report["errors"]] == [label]
    assert "NOPE" in run.report["errors"][0]["message"]
