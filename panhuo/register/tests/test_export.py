"""Export streams every visible asset in the import's own columns: it re-imports unchanged."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from panhuo.core.testing import AssetFactory
from panhuo.register.exporting import HEADERS, stream_csv, xlsx_bytes
from panhuo.register.importing.engine import import_assets
from panhuo.register.models import Asset, ClassificationCode
from panhuo.register.selectors import asset_list


@pytest.fixture
def assets(world):
    code = ClassificationCode.objects.create(code="A01", name="Houses and structures")
    a = AssetFactory(
        unit=world.unit,
        kind="vehicle",
        classification=code,
        attributes={"plate": "粤B·1", "mileage_km": 84000},
        idle_since=dt.date(2023, 2, 1),
        title_complete=True,
        latitude=Decimal("22.543096"),
        longitude=Decimal("114.057865"),
        accumulated_depreciation=Decimal("10.50"),
        name='公务车, "旧"',
    )
    b = AssetFactory(
        unit=world.unit2, kind="equity", attributes={"company": "城投公司", "percentage": "35.5"}
    )
    c = AssetFactory(unit=world.other_unit)
    return a, b, c


def test_csv_export_is_scoped_and_round_trips(world, assets):
    data = b"".join(stream_csv(asset_list(world.user("office"))))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == 3  # the other district's asset is not there
    report = import_assets(actor=world.user("office"), stream=io.BytesIO(data), commit=True)
    assert (report.unchanged, report.new, report.updated, report.rejected) == (2, 0, 0, 0), (
        report.errors
    )


def test_xlsx_export_round_trips(world, assets):
    data = xlsx_bytes(asset_list(world.user("office")))
    report = import_assets(actor=world.user("office"), stream=io.BytesIO(data), commit=True)
    assert (report.unchanged, report.rejected) == (2, 0), report.errors


def test_unit_officer_exports_only_own_unit(world, assets):
    data = b"".join(stream_csv(asset_list(world.user("unit_officer"))))
    assert len(data.decode("utf-8-sig").strip().splitlines()) == 2


def test_cli_import_and_export(world, assets, tmp_path, capsys):
    out = tmp_path / "assets.xlsx"
    call_command("export", "assets", str(out), user="office")
    assert "Exported 2 assets" in capsys.readouterr().out
    src = tmp_path / "new.csv"
    src.write_text("unit,code,name,kind\nU1,CLI-1,Kiosk,building\n", encoding="utf-8")
    call_command("import", "assets", str(src), user="office", no_progress=True)
    assert "Dry run" in capsys.readouterr().out and not Asset.objects.filter(code="CLI-1").exists()
    call_command("import", "assets", str(src), user="office", commit=True, no_progress=True)
    assert "new 1" in capsys.readouterr().out and Asset.objects.filter(code="CLI-1").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,code,name,kind\nU1,CLI-2,Kiosk,rocket\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import", "assets", str(bad), user="office", commit=True, no_progress=True)
    assert "row 2, column kind" in capsys.readouterr().out
    with pytest.raises(CommandError, match="empty"):
        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        call_command("import", "assets", str(empty), user="office", no_progress=True)


def test_csv_export_guards_formulas_and_still_round_trips(world, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_BOUNDS": None}  # London is outside China
    AssetFactory(
        unit=world.unit,
        name='=HYPERLINK("http://x","click")',
        address="+86 street",
        longitude=Decimal("-0.128354"),
        latitude=Decimal("51.5"),
    )
    data = b"".join(stream_csv(asset_list(world.user("office"))))
    row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1]
    assert row[HEADERS.index("name")].startswith("'=")
    assert row[HEADERS.index("address")] == "'+86 street"
    assert row[HEADERS.index("longitude")] == "-0.128354"
    report = import_assets(actor=world.user("office"), stream=io.BytesIO(data), commit=True)
    assert (report.unchanged, report.rejected) == (1, 0), report.errors
