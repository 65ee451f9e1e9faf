"""How an import writes (importing/writing.py): a dry run opens no transaction and writes
nothing; a commit writes its checked rows in several short transactions; whatever stops it
before the last (a row rejected at write time, a cancel, a worker found stale) reverts what it
wrote, audited, so nothing of the file is left."""

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panhuo.integrity.models import AuditEntry, AuditRow
from panhuo.integrity.reconcile import reconcile
from panhuo.integrity.services import audit_verify
from panhuo.register import import_liveness, imports
from panhuo.register.import_models import ImportRun
from panhuo.register.importing.engine import ImportCancelled, import_assets
from panhuo.register.models import Asset

HEADER = "unit,code,name,kind,book_value,status\n"
ROWS = ["U1,W-1,School,building,1000000,idle", "U1,W-2,Car,vehicle,120000,in_use",
        "U2,W-3,Granary,building,350000,idle"]  # fmt: skip


def _csv(rows):
    return io.BytesIO((HEADER + "".join(r + "\n" for r in rows)).encode())


def _run(world, rows, **kw):
    return import_assets(actor=world.user("office"), stream=_csv(rows), **kw)


@pytest.fixture
def one_row_batches(settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_WRITE_BATCH": 1, "IMPORT_WRITE_PAUSE": 0}


def _statements(ctx, *starts):
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(starts)]


def test_a_dry_run_opens_no_transaction_and_writes_nothing(world):
    with CaptureQueriesContext(connection) as ctx:
        report = _run(world, ROWS)
    assert report.new == 3 and not report.committed
    assert not _statements(ctx, "SAVEPOINT", "BEGIN", "INSERT", "UPDATE", "DELETE")
    assert not Asset.objects.exists()


def test_a_commit_writes_in_short_transactions(world, one_row_batches):
    with CaptureQueriesContext(connection) as ctx:
        report = _run(world, ROWS, commit=True)
    assert report.committed and report.new == 3
    # One transaction (here a savepoint in the test's own) per batch of written rows.
    assert len(_statements(ctx, "SAVEPOINT")) >= 3
    assert Asset.objects.filter(code__startswith="W-").count() == 3
    assert audit_verify().ok


def test_a_row_rejected_at_write_time_reverts_the_rows_written(world, one_row_batches):
    assert _run(world, ROWS, commit=True).committed
    names = dict(Asset.objects.values_list("code", "name"))
    changed = [r.replace("School", "Old school").replace("Car", "Old car") for r in ROWS]

    def meanwhile(rows):
        # After every row was checked, before the writing: someone disposes of W-3, which
        # the file would set back to idle (a disposed asset never goes back).
        Asset.objects.filter(code="W-3").update(status="disposed")

    report = _run(world, changed, commit=True, progress=meanwhile)
    assert not report.committed
    assert report.rejected == 1 and "disposed" in report.errors[0].message.lower()
    # W-1 and W-2 were written in their own transactions, then put back.
    assert dict(Asset.objects.values_list("code", "name")) == names
    assert AuditEntry.objects.filter(action="asset.import_revert").count() == 2
    assert audit_verify().ok
    # The rows agree with their audit, but for the disposal this test made in SQL.
    differences = [(d.table, d.field) for d in reconcile().differences
                   if d.table == "register_asset"]  # fmt: skip
    assert differences == [("register_asset", "status")], differences


def test_a_cancel_while_writing_leaves_nothing(world, one_row_batches):
    calls = []

    def cancel_after_first_write(rows):
        calls.append(rows)
        return len(calls) >= 2  # the first call ends the reading; the second follows a write

    with pytest.raises(ImportCancelled):
        _run(world, ROWS, commit=True, progress=cancel_after_first_write)
    assert not Asset.objects.filter(code__startswith="W-").exists()
    assert AuditRow.objects.filter(action="asset.import_create").count() == 1
    assert AuditEntry.objects.filter(action="asset.import_revert").count() == 1
    assert audit_verify().ok


def _stale_written_run(world, settings, tmp_path) -> ImportRun:
    """A committing run whose worker wrote the whole file and then stopped beating."""
    settings.DATA_DIR = tmp_path
    run = imports.import_run_create(
        actor=world.user("office"), upload=_csv(ROWS), filename="w.csv", commit=True
    )
    assert import_assets(actor=world.user("office"), stream=_csv(ROWS), run_id=run.pk,
                         commit=True).committed  # fmt: skip
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    ImportRun.objects.filter(pk=run.pk).update(status="running", started_at=long_ago)
    cache.delete(import_liveness.heartbeat_key(run.pk))  # no sign of life since it started
    return ImportRun.objects.get(pk=run.pk)


def test_a_stale_committing_run_is_reverted_when_found(world, settings, tmp_path):
    """What a worker killed between two written batches leaves is undone by the worker that
    finds its run stale (here the whole file, written under the run's id, stands for the part
    written)."""
    run = _stale_written_run(world, settings, tmp_path)
    run = imports.fail_if_stale(run, undo_now=True)
    assert run.status == "failed" and "nothing was written" in run.message
    assert not Asset.objects.filter(code__startswith="W-").exists()
    assert audit_verify().ok
    # Found again: nothing more to revert.
    assert imports.fail_if_stale(run, undo_now=True).status == "failed"
    assert AuditEntry.objects.filter(action="asset.import_revert").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_page_that_finds_a_stale_run_leaves_the_undo_to_the_worker(settings, tmp_path, client):
    """Undoing 200,000 assets takes minutes: the page (or API call) that finds the run stale
    only marks it and queues the undo; the worker does it, then the run says nothing was
    written, and only then can it be rerun."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from panhuo.core.testing import build_world

    world = build_world()  # committed: the real worker below runs as in production
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    run = _stale_written_run(world, settings, tmp_path)
    DBTaskResult.objects.all().delete()  # the import's own task: its worker took it, then died
    queued = DBTaskResult.objects.count()
    client.force_login(world.user("office"))
    for _ in range(2):  # two readers: one undo queued
        page = client.get(run.get_absolute_url())
        assert page.status_code == 200
    run.refresh_from_db()
    assert run.status == "failed" and run.message_code == imports.UNDOING
    assert "being undone" in page.content.decode()
    assert Asset.objects.filter(code__startswith="W-").count() == 3  # not in the request
    assert AuditEntry.objects.filter(action="asset.import_revert").count() == 0
    assert DBTaskResult.objects.count() == queued + 1
    assert "import-run-rerun" not in page.content.decode() and (
        f"/runs/{run.pk}/rerun" not in page.content.decode()
    )
    api = client.post(f"/api/v1/imports/{run.pk}/rerun", content_type="application/json")
    assert api.status_code == 400 and "still undoing" in api.content.decode()

    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    run.refresh_from_db()
    assert run.status == "failed" and run.message_code == "worker_stopped"
    assert "nothing was written" in run.message
    assert not Asset.objects.filter(code__startswith="W-").exists()
    assert AuditEntry.objects.filter(action="asset.import_revert").count() == 3
    assert audit_verify().ok
    api = client.post(f"/api/v1/imports/{run.pk}/rerun", content_type="application/json")
    assert api.status_code == 202


def test_a_lost_undo_is_done_by_the_next_worker_sweep(world, settings, tmp_path):
    """If the queued undo never reaches a worker (the request died after marking the run), the
    worker's start-up sweep finds the run still waiting and undoes it."""
    run = _stale_written_run(world, settings, tmp_path)
    imports._mark_stopped(run.pk, "running", imports.failures.worker_stopped_undoing())
    run.refresh_from_db()
    assert imports.undoing(run)
    imports.fail_stale_runs(undo_now=True)
    run.refresh_from_db()
    assert not imports.undoing(run) and "nothing was written" in run.message
    assert not Asset.objects.filter(code__startswith="W-").exists()


def test_a_commit_in_many_transactions_is_checkpointed_once(
    world, one_row_batches, settings, django_capture_on_commit_callbacks
):
    from panhuo.integrity import checkpoints as cps

    settings.PANHUO = {**settings.PANHUO, "AUDIT_CHECKPOINT_BULK": 2}
    before = len(cps.read_checkpoints()[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert _run(world, ROWS, commit=True).committed
    notes = [c.note for c in cps.read_checkpoints()[0][before:]]
    assert notes == ["after commits of 3 entries"]
