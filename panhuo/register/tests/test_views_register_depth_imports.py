"""Bulk import through the register's pages: upload, run, progress, report, cancel, who may
import, the real worker, and the export → import round trip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from panhuo.core.testing import AssetFactory, build_world
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import (
    USERS,
    client_for,
)
from panhuo.integrity.models import AuditEntry
from panhuo.register import imports
from panhuo.register.models import Asset
from panhuo.register.tests.views_depth_support import (
    CSV_BAD,
    CSV_OK,
    IMPORTERS,
    fingerprint,
    office_run,
    run_of,
    upload,
)

# --- import: upload, run, progress, report ------------------------------------------------


def test_upload_runs_and_the_report_shows_counts_and_rejected_rows(world, data_dir):
    c = client_for(world, "office")
    run = run_of(upload(c, CSV_BAD, mode="all"))
    assert (run.commit, run.valid_only, run.status) == (True, False, "queued")
    page = c.get(run.get_absolute_url()).content.decode()
    assert "<progress" in page and reverse("import-run-progress", args=[run.pk]) in page
    assert 'http-equiv="refresh"' in page  # without script, the page reloads itself
    assert reverse("import-run-cancel", args=[run.pk]) in page
    imports.execute_import(run)
    page = c.get(run.get_absolute_url())
    body = page.content.decode()
    assert page.context["report"]["rejected"] == 2 and page.context["report"]["new"] == 2
    assert "Nothing was written: 2 row(s) were rejected" in body
    assert "-1.00 is negative" in body and "unknown unit" in body
    assert 'http-equiv="refresh"' not in body and "import-run-cancel" not in body
    assert not Asset.objects.filter(code__startswith="R-").exists()
    errors = c.get(reverse("import-run-errors", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(errors.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Reason"]
    # A cell that a spreadsheet would take for a formula is quoted, as in every CSV we send.
    assert rows[1] == ["4", "book_value", "'-1.00 is negative"] and rows[2][:2] == ["5", "unit"]


def test_valid_rows_only_writes_the_good_rows(world, data_dir):
    c = client_for(world, "office")
    run = run_of(upload(c, CSV_BAD, mode="valid"))
    imports.execute_import(run)
    body = c.get(run.get_absolute_url()).content.decode()
    assert "The valid rows were written; 2 row(s) were rejected." in body
    assert set(Asset.objects.filter(code__startswith="R-").values_list("code", flat=True)) == {
        "R-1",
        "R-2",
    }


def test_dry_run_writes_nothing_then_imports_the_same_file(world, data_dir):
    c = client_for(world, "office")
    dry = run_of(upload(c, CSV_OK, run="dry_run"))
    imports.execute_import(dry)
    page = c.get(dry.get_absolute_url())
    assert "Dry run: every row is valid. Nothing was written." in page.content.decode()
    assert page.context["can_commit"] and "Would be new" in page.content.decode()
    assert not Asset.objects.filter(code__startswith="R-").exists()
    response = c.post(reverse("import-run-commit", args=[dry.pk]))
    real = run_of(response)
    assert real.commit and real.file_sha256 == dry.file_sha256 and real.pk != dry.pk
    imports.execute_import(real)
    assert Asset.objects.filter(code__startswith="R-").count() == 2
    # Only a finished dry run of one's own can be committed from its page.
    before = fingerprint()
    assert c.post(reverse("import-run-commit", args=[real.pk])).status_code == 302
    assert (
        client_for(world, "office2").post(reverse("import-run-commit", args=[dry.pk])).status_code
        == 404
    )
    assert fingerprint() == before


def test_progress_json_is_the_owners_alone(world, data_dir):
    run = office_run(world, data_dir)
    owner = client_for(world, "office").get(reverse("import-run-progress", args=[run.pk]))
    assert owner.status_code == 200
    assert owner.json() == imports.import_progress(run)
    assert owner.json()["status"] == "queued" and owner.json()["finished"] is False
    imports.execute_import(run)
    done = client_for(world, "office").get(reverse("import-run-progress", args=[run.pk])).json()
    assert done["finished"] and done["rows"] == 2 and done["report"]["new"] == 2
    assert (
        client_for(world, "office2").get(reverse("import-run-progress", args=[run.pk])).status_code
        == 404
    )
    assert (
        client_for(world, "head").get(reverse("import-run-progress", args=[run.pk])).status_code
        == 403
    )


def test_cancel_by_owner_only(world, data_dir):
    run = office_run(world, data_dir)
    before = fingerprint()
    for who, status in (("office2", 404), ("unit_officer", 404), ("head", 403)):
        assert (
            client_for(world, who).post(reverse("import-run-cancel", args=[run.pk])).status_code
            == status
        )
    assert fingerprint() == before
    c = client_for(world, "office")
    assert c.post(reverse("import-run-cancel", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.status == "cancelled"
    imports.execute_import(run)
    assert not Asset.objects.filter(code__startswith="R-").exists()
    again = c.post(reverse("import-run-cancel", args=[run.pk]), follow=True)
    assert "has already ended" in again.content.decode()
    assert "Cancelled. Nothing was written." in again.content.decode()


@pytest.mark.parametrize(
    ("files", "form", "field"),
    [
        (None, {}, "file"),
        ((b"%PDF-1.4 not a register", "register.pdf"), {}, "file"),
        ((b"", "empty.csv"), {}, "file"),
        ((CSV_OK.encode(), "r.csv"), {"mapping": "No such mapping"}, "mapping"),
        ((CSV_OK.encode(), "r.csv"), {"run": "maybe"}, "run"),
        ((CSV_OK.encode(), "r.csv"), {"mode": "some"}, "mode"),
    ],
)
def test_import_bad_input_names_the_field_and_writes_nothing(world, data_dir, files, form, field):
    data = {"mapping": "", "run": "commit", "mode": "all", **form}
    if files is not None:
        data["file"] = io.BytesIO(files[0])
        data["file"].name = files[1]
    before = fingerprint()
    response = client_for(world, "office").post(reverse("asset-import"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before
    assert not list((data_dir / "imports").glob("*")) if (data_dir / "imports").exists() else True


@per_caller(sorted(set(USERS) - IMPORTERS))
def test_import_refused_to_roles_that_may_not_create_assets(world, data_dir, who):
    before = fingerprint()
    response = upload(client_for(world, who), CSV_OK)
    assert response.status_code == 403
    assert fingerprint() == before


def test_a_unit_officer_imports_into_their_own_unit_only(world, data_dir):
    c = client_for(world, "unit_officer")
    text = "unit,code,name,kind\nU1,UO-1,Shed,building\nU2,UO-2,Not mine,building\n"
    run = run_of(upload(c, text))
    imports.execute_import(run)
    body = c.get(run.get_absolute_url()).content.decode()
    assert "not one you may import into" in body
    assert not Asset.objects.filter(code__startswith="UO-").exists()


def test_run_list_shows_only_ones_own_runs(world, data_dir):
    mine = office_run(world, data_dir)
    theirs = run_of(upload(client_for(world, "office2"), CSV_OK, name="theirs.csv"))
    body = client_for(world, "office").get(reverse("import-run-list")).content.decode()
    assert mine.get_absolute_url() in body and theirs.get_absolute_url() not in body


@pytest.mark.django_db(transaction=True)
def test_upload_then_the_real_worker_then_the_report(data_dir):
    w = build_world()
    c = client_for(w, "office")
    run = run_of(upload(c, CSV_BAD, mode="valid"))
    run.refresh_from_db()
    assert run.task_id, "queued on commit"
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    page = c.get(run.get_absolute_url())
    assert page.context["run"].status == "succeeded"
    body = page.content.decode()
    assert "The valid rows were written; 2 row(s) were rejected." in body
    counts = {k: page.context["report"][k] for k in ("new", "updated", "unchanged", "rejected")}
    assert counts == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert "-1.00 is negative" in body
    assert Asset.objects.filter(code__startswith="R-").count() == 2


# --- export → import round trip -----------------------------------------------------------


def _rich_assets(w):
    a = AssetFactory(
        unit=w.unit,
        code="RT-1",
        name="Depot, east “gate”",
        kind="land",
        accumulated_depreciation=Decimal("1000.50"),
        annual_income=Decimal("12.34"),
        idle_since=dt.date(2022, 2, 28),
        title_complete=True,
        certificate_number="粤(2020)第1号",
        latitude=Decimal("22.543210"),
        longitude=Decimal("114.057868"),
        attributes={"land_use": "industrial", "plot_ratio": "1.5", "tenure_end": "2060-01-01"},
    )
    b = AssetFactory(unit=w.unit2, code="RT-2", kind="vehicle", attributes={"plate": "粤B1"})
    return a, b


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_through_the_pages_changes_nothing(world, data_dir, fmt):
    _rich_assets(world)
    c = client_for(world, "office")
    url = reverse("asset-export" if fmt == "csv" else "asset-export-xlsx")
    exported = b"".join(c.get(url, {"q": "RT-"}).streaming_content)
    snapshot = sorted(Asset.objects.values_list("code", "version", "updated_at"))
    audit = AuditEntry.objects.count()
    run = run_of(upload(c, exported, name=f"assets.{fmt}"))
    imports.execute_import(run)
    report = c.get(run.get_absolute_url()).context["report"]
    assert (report["rows"], report["unchanged"], report["new"], report["updated"]) == (2, 2, 0, 0)
    assert report["rejected"] == 0 and report["ignored_headers"] == []
    assert sorted(Asset.objects.values_list("code", "version", "updated_at")) == snapshot
    assert AuditEntry.objects.count() == audit + 1  # the run's own entry, nothing else


def test_an_edited_export_updates_what_changed(world, data_dir):
    _rich_assets(world)
    c = client_for(world, "office")
    text = b"".join(c.get(reverse("asset-export"), {"q": "RT-"}).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    col = rows[0].index("annual_income (yuan)")  # the header states the unit
    rows[1][col] = "99.00"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    run = run_of(upload(c, out.getvalue()))
    imports.execute_import(run)
    report = c.get(run.get_absolute_url()).context["report"]
    assert (report["updated"], report["unchanged"]) == (1, 1)
    assert Asset.objects.get(code="RT-1").annual_income == Decimal("99.00")
