"""The register's imports through the API and the real worker: the report, rejected rows,
unreadable files, dry runs, and an export that re-imports unchanged.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from panhuo.core.testing import AssetFactory, build_world
from panhuo.core.tests.api_support import (
    client_for,
)
from panhuo.integrity.models import AuditEntry
from panhuo.register.models import Asset, ClassificationCode
from panhuo.register.tests.api_depth_support import (
    CSV,
    file_of,
)

# --- Imports through the real worker -----------------------------------------------------------


def _worker():
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def _upload(client, data, name="reg.csv", **form):
    r = client.post("/api/v1/imports", data={"file": file_of(data, name), **form})
    assert r.status_code == 202, r.content
    return r.json()


@pytest.mark.django_db(transaction=True)
def test_upload_worker_report(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    run = _upload(c, CSV, commit="true")
    assert run["status"] == "queued"
    assert not Asset.objects.exists()
    _worker()
    r = c.get(f"/api/v1/imports/{run['id']}")
    out = r.json()
    assert out["status"] == "succeeded", out
    assert out["progress"] == {"rows": 2, "bytes": out["progress"]["bytes"], "size": len(CSV),
                               "finished": True}  # fmt: skip
    report = out["report"]
    assert (report["rows"], report["new"], report["updated"], report["rejected"]) == (2, 2, 0, 0)
    assert report["committed"] is True and report["errors"] == []
    assert report["columns"]["book_value"] == "book_value"
    assert Asset.objects.count() == 2
    assert [x["id"] for x in c.get("/api/v1/imports").json()["results"]] == [run["id"]]
    # Someone else sees neither the run nor its report.
    assert client_for(w, "office2").get(f"/api/v1/imports/{run['id']}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_rejected_rows_are_reported_and_nothing_is_written(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    bad = CSV + "U1,R-3,Broken,building,-1,idle\nU1,R-4,Castle,castle,5,idle\n"
    run = _upload(c, bad, commit="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "rejected"
    report = out["report"]
    assert (report["rows"], report["rejected"], report["committed"]) == (4, 2, False)
    assert report["errors"][0] == {
        "row": 4,
        "column": "book_value",
        "code": "negative",
        "message": "-1.00 is negative",
    }
    assert report["errors"][1]["row"] == 5 and report["errors"][1]["column"] == "kind"
    assert not Asset.objects.exists()
    # The valid rows only, when asked.
    run = _upload(c, bad, commit="true", valid_only="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "succeeded" and out["report"]["new"] == 2
    assert out["report"]["rejected"] == 2
    assert set(Asset.objects.values_list("code", flat=True)) == {"R-1", "R-2"}


@pytest.mark.django_db(transaction=True)
def test_a_file_the_worker_cannot_read_is_rejected_with_the_reason(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    run = _upload(c, zipped.getvalue(), "reg.xlsx", commit="true")
    no_unit = _upload(c, "code,name\nX-1,Thing\n", commit="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "rejected" and "cannot be opened" in out["message"]
    assert out["report"] is None
    out = c.get(f"/api/v1/imports/{no_unit['id']}").json()
    assert out["status"] == "rejected" and "unit" in out["message"]
    assert not Asset.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_dry_run_then_cancel_through_the_api(settings_tmp):
    w = build_world()
    c = client_for(w, "office")
    dry = _upload(c, CSV)
    cancelled = _upload(c, CSV, commit="true")
    assert c.post(f"/api/v1/imports/{cancelled['id']}/cancel").json()["status"] == "cancelled"
    _worker()
    out = c.get(f"/api/v1/imports/{dry['id']}").json()
    assert out["status"] == "succeeded" and out["report"]["new"] == 2
    assert out["report"]["committed"] is False
    assert c.get(f"/api/v1/imports/{cancelled['id']}").json()["status"] == "cancelled"
    assert not Asset.objects.exists()


def _asset_state():
    return sorted(
        Asset.objects.values_list(
            "unit__code", "code", "name", "kind", "classification__code", "address", "latitude",
            "longitude", "area", "book_value", "accumulated_depreciation", "appraised_value",
            "annual_income", "annual_holding_cost", "status", "idle_since", "criticality",
            "certificate_number", "title_complete", "acquired_on", "attributes", "version",
        )
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.django_db(transaction=True)
def test_export_reimports_unchanged_through_the_api(settings_tmp, fmt):
    w = build_world()
    # A transactional test starts from an emptied database: the seeded codes are gone.
    code, _ = ClassificationCode.objects.get_or_create(code="T-01", defaults={"name": "Vehicles"})
    AssetFactory(
        unit=w.unit,
        kind="vehicle",
        classification=code,
        attributes={"plate": "粤B·1", "mileage_km": 84000},
        idle_since=dt.date(2023, 2, 1),
        title_complete=True,
        latitude=Decimal("22.543096"),
        longitude=Decimal("114.057865"),
        accumulated_depreciation=Decimal("10.50"),
        annual_income=Decimal("1200.00"),
        certificate_number="CERT-1",
        acquired_on=dt.date(2019, 5, 20),
        name='公务车, "旧"\n二号',
        address="",
        appraised_value=None,
    )
    AssetFactory(
        unit=w.unit2, kind="equity", attributes={"company": "城投公司", "percentage": "35.5"}
    )
    AssetFactory(unit=w.unit, kind="land", criticality="essential", book_value=Decimal("0.01"))
    AssetFactory(unit=w.other_unit)  # not the office's: not exported
    c = client_for(w, "office")
    r = c.get("/api/v1/assets/export", {"format": fmt})
    assert r.status_code == 200
    data = b"".join(r.streaming_content)
    before, audit_before = _asset_state(), AuditEntry.objects.count()
    run = _upload(c, data, f"assets.{fmt}", commit="true")
    _worker()
    out = c.get(f"/api/v1/imports/{run['id']}").json()
    assert out["status"] == "succeeded", out
    report = out["report"]
    assert (report["rows"], report["unchanged"], report["new"], report["updated"]) == (3, 3, 0, 0)
    assert report["rejected"] == 0 and report["ignored_headers"] == []
    assert _asset_state() == before
    # Only the import run itself is recorded; no asset was touched.
    assert AuditEntry.objects.count() == audit_before + 1
