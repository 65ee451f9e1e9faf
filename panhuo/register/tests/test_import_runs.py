"""Import runs through the real task backend and the real database worker."""

import io

import pytest
from django.core.management import call_command

from panhuo.core.testing import build_world
from panhuo.core.tests.per_caller import per_caller
from panhuo.organisation.policy import NotPermitted
from panhuo.register import import_mappings, imports
from panhuo.register.import_models import ImportRun
from panhuo.register.importing.report import shown_error
from panhuo.register.models import Asset

CSV = (
    "unit,code,name,kind,book_value,status\n"
    "U1,R-1,Old school,building,1000000,idle\n"
    "U1,R-2,Car,vehicle,120000,in_use\n"
)


@pytest.fixture
def settings_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return settings


@pytest.mark.django_db(transaction=True)
def test_upload_queue_worker_commit(settings_tmp):
    w = build_world()
    run = imports.import_run_create(
        actor=w.user("office"), upload=io.BytesIO(CSV.encode()), filename="reg.csv", commit=True
    )
    run.refresh_from_db()
    assert run.status == "queued" and run.task_id
    assert not Asset.objects.exists()
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    assert run.report["new"] == 2 and run.rows_done == 2
    assert Asset.objects.count() == 2
    progress = imports.import_progress(run)
    assert progress["finished"] and progress["rows"] == 2


@pytest.mark.django_db(transaction=True)
def test_rejected_file_reports_and_writes_nothing(settings_tmp):
    w = build_world()
    bad = CSV + "U1,R-3,Broken,building,-1,idle\n"
    run = imports.import_run_create(
        actor=w.user("office"), upload=io.BytesIO(bad.encode()), filename="r.csv", commit=True
    )
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    run.refresh_from_db()
    assert run.status == "rejected"
    assert shown_error(run.report["errors"][0]) == {
        "row": 4,
        "column": "book_value",
        "code": "negative",
        "message": "-1.00 is negative",
    }
    assert not Asset.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_cancel_before_start(settings_tmp):
    w = build_world()
    run = imports.import_run_create(
        actor=w.user("office"), upload=io.BytesIO(CSV.encode()), filename="r.csv", commit=True
    )
    with pytest.raises(NotPermitted):
        imports.import_run_cancel(actor=w.user("office2"), run=run)
    imports.import_run_cancel(actor=w.user("office"), run=run)
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    run.refresh_from_db()
    assert run.status == "cancelled" and not Asset.objects.exists()


@per_caller(["finance", "auditor", "head", "bidder", "norole"])
def test_import_denied(world, settings_tmp, who):
    with pytest.raises(NotPermitted):
        imports.import_run_create(
            actor=world.user(who), upload=io.BytesIO(CSV.encode()), filename="r.csv"
        )
    assert not ImportRun.objects.exists()


def test_saved_mapping_is_used(world, settings_tmp):
    from django.core.exceptions import ValidationError

    import_mappings.mapping_save(
        actor=world.user("office"),
        name="legacy",
        columns={"Dept": "unit", "Ref": "code", "Title": "name", "Type": "kind"},
        values={"kind": {"House": "building"}},
    )
    data = "Dept;Ref;Title;Type\nU1;L-1;Depot;House\n"
    run = imports.import_run_create(
        actor=world.user("office"),
        upload=io.BytesIO(data.encode()),
        filename="legacy.csv",
        mapping_name="legacy",
        commit=True,
    )
    run = imports.execute_import(run)
    assert run.status == "succeeded", (run.message, run.report)
    assert Asset.objects.get(code="L-1").kind == "building"
    with pytest.raises(ValidationError):
        import_mappings.mapping_save(actor=world.user("office"), name="x", columns={"A": "colour"})
    with pytest.raises(ValidationError):
        imports.import_run_create(
            actor=world.user("office2"),
            upload=io.BytesIO(b"a"),
            filename="x.csv",
            mapping_name="legacy",
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("commit", [True, False])
def test_crash_after_the_commit_leaves_an_honest_status(settings_tmp, monkeypatch, commit):
    """A failure at the exact point after the import's transaction ends: a committed run
    already reads succeeded (its status was committed with its rows) and the worker's
    failure handler does not overwrite it; a dry run, which wrote nothing, reads failed."""
    w = build_world()
    run = imports.import_run_create(
        actor=w.user("office"), upload=io.BytesIO(CSV.encode()), filename="c.csv", commit=commit
    )
    real = imports.run_import

    def run_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("worker lost right after the transaction ended")

    monkeypatch.setattr(imports, "run_import", run_then_crash)
    with pytest.raises(RuntimeError):
        imports.run_import_task.call(run.pk)
    run.refresh_from_db()
    if commit:
        assert Asset.objects.count() == 2
        assert run.status == "succeeded", run.message
        assert run.report["new"] == 2 and run.rows_done == 2 and run.finished_at
    else:
        assert not Asset.objects.exists()
        assert run.status == "failed" and "nothing was written" in run.message
