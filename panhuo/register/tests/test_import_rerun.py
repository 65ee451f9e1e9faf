"""A run whose worker stopped reads as failed (API and page), and can be run again."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.api_support import call, client_for
from panhuo.register import import_liveness, imports
from panhuo.register.import_models import ImportRun

pytestmark = pytest.mark.django_db

CSV = "unit,code,name,kind,book_value,status\nU1,R-1,Old school,building,1000000,idle\n"


@pytest.fixture
def stopped(world, settings, tmp_path):
    """A run a worker started two hours ago and then stopped beating for."""
    settings.DATA_DIR = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    run = imports.import_run_create(
        actor=world.user("office"), upload=io.BytesIO(CSV.encode()), filename="r.csv", commit=True
    )
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now() - dt.timedelta(hours=2)
    )
    run.refresh_from_db()
    return run


def test_a_fresh_heartbeat_keeps_the_run_running(stopped):
    import_liveness.beat(stopped.pk)
    assert imports.import_progress(stopped)["status"] == "running"
    assert imports.fail_stale_runs() == []


def _undone(run: ImportRun) -> None:
    """The worker undoes what the stopped committing run wrote (queued by the reader)."""
    imports.undo_stopped_run_task.call(run.pk)


def test_api_reads_a_stopped_run_as_failed_and_reruns_it(world, stopped):
    c = client_for(world, "office")
    body = c.get(f"/api/v1/imports/{stopped.pk}").json()
    assert body["status"] == "failed" and "worker stopped" in body["message"]
    assert body["message_code"] == imports.UNDOING
    _undone(stopped)
    body = c.get(f"/api/v1/imports/{stopped.pk}").json()
    assert body["message_code"] == "worker_stopped"
    r = call(c, "POST", f"/api/v1/imports/{stopped.pk}/rerun")
    assert r.status_code == 202
    new = ImportRun.objects.get(pk=r.json()["id"])
    assert new.pk != stopped.pk and new.status == "queued"
    assert (new.file_sha256, new.stored_path, new.mapping, new.commit) == (
        stopped.file_sha256, stopped.stored_path, stopped.mapping, True
    )  # fmt: skip
    # A queued run cannot be rerun; nor can someone else's run (it is missing to them).
    assert call(c, "POST", f"/api/v1/imports/{new.pk}/rerun").status_code == 400
    other = client_for(world, "office2")
    assert call(other, "POST", f"/api/v1/imports/{stopped.pk}/rerun").status_code == 404
    assert call(client_for(world, "auditor"), "POST",
                f"/api/v1/imports/{stopped.pk}/rerun").status_code == 403  # fmt: skip
    assert ImportRun.objects.count() == 2


def test_lists_read_a_stopped_run_as_failed(world, stopped):
    c = client_for(world, "office")
    assert c.get("/api/v1/imports").json()["results"][0]["status"] == "failed"
    ImportRun.objects.filter(pk=stopped.pk).update(status="running", finished_at=None)
    page = c.get(reverse("import-run-list"))
    assert page.status_code == 200
    assert ImportRun.objects.get(pk=stopped.pk).status == "failed"


def test_worker_start_up_marks_stopped_runs_failed(stopped):
    assert imports.fail_stale_runs() == [stopped.pk]
    stopped.refresh_from_db()
    assert stopped.status == "failed" and stopped.finished_at is not None


def test_run_page_explains_and_offers_to_run_again(world, stopped):
    c = client_for(world, "office")
    page = c.get(reverse("import-run-detail", args=[stopped.pk]))
    assert b"The worker stopped while importing" in page.content
    _undone(stopped)
    page = c.get(reverse("import-run-detail", args=[stopped.pk]))
    assert reverse("import-run-rerun", args=[stopped.pk]).encode() in page.content
    r = c.post(reverse("import-run-rerun", args=[stopped.pk]))
    new = ImportRun.objects.exclude(pk=stopped.pk).get()
    assert r.status_code == 302 and r["Location"] == new.get_absolute_url()
    # Someone else's run is missing to them, and nothing is queued.
    r = client_for(world, "office2").post(reverse("import-run-rerun", args=[stopped.pk]))
    assert r.status_code == 404
    assert ImportRun.objects.count() == 2
