"""The asset import end to end at the service level: mapping, validation, commit modes,
idempotence, history, cancellation."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from panhuo.integrity.models import AuditEntry
from panhuo.integrity.selectors import history_of
from panhuo.integrity.services import audit_verify
from panhuo.register.importing.engine import ImportCancelled, Mapping, import_assets
from panhuo.register.importing.readers import FileRejected
from panhuo.register.models import Asset

HEADER = "单位编码,资产编号,资产名称,资产类型,使用状态,原值,面积(平方米),取得日期,闲置起始日期\n"


def _gbk(rows: list[str]) -> io.BytesIO:
    return io.BytesIO((HEADER + "".join(r + "\n" for r in rows)).encode("gbk"))


MAPPING = Mapping(
    values={
        "kind": {"房屋": "building", "车辆": "vehicle"},
        "status": {"闲置": "idle", "在用": "in_use"},
    },
    options={"amount_unit": "yuan"},
)
ROWS = [
    'U1,FW-001,老城区办公楼,房屋,闲置,"1,200.5万元",3200,2001年5月1日,2023/1/15',
    "U1,CL-002,公务用车,车辆,在用,18万,,2019-03-01,",
    "U2,FW-003,原粮站仓库,房屋,闲置,350000,5100.5,01/06/1998,2022年7月1日",
]


def _run(world, stream, who="office", **kw):
    return import_assets(
        actor=world.user(who), stream=stream, mapping=kw.pop("mapping", MAPPING), **kw
    )


def test_dry_run_counts_and_writes_nothing(world):
    report = _run(world, _gbk(ROWS))
    assert (report.rows, report.new, report.rejected, report.committed) == (3, 3, 0, False)
    assert report.columns["资产编号"] == "code"
    assert not Asset.objects.exists() and not AuditEntry.objects.exists()


def test_commit_then_reimport_is_idempotent(world):
    report = _run(world, _gbk(ROWS), commit=True)
    assert report.committed and report.new == 3
    a = Asset.objects.get(code="FW-001")
    assert a.book_value == Decimal("12005000.00") and a.kind == "building"
    assert a.acquired_on == dt.date(2001, 5, 1) and a.idle_since == dt.date(2023, 1, 15)
    assert Asset.objects.get(code="FW-003").acquired_on == dt.date(1998, 6, 1)
    n_audit = AuditEntry.objects.count()
    again = _run(world, _gbk(ROWS), commit=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEntry.objects.count() == n_audit
    assert audit_verify().ok


def test_changed_row_updates_and_shows_in_history(world):
    _run(world, _gbk(ROWS), commit=True)
    changed = [ROWS[0].replace("老城区办公楼", "老城区办公楼（东楼）"), *ROWS[1:]]
    report = _run(world, _gbk(changed), commit=True)
    assert (report.updated, report.unchanged) == (1, 2)
    a = Asset.objects.get(code="FW-001")
    entry = history_of(a)[0]
    assert entry.action == "asset.import_update"
    assert entry.before == {"name": "老城区办公楼"}
    assert entry.after["name"] == "老城区办公楼（东楼）" and a.version == 2


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("U1,X-1,坏行,房屋,闲置,-5,,,", "原值", "negative"),
        ("U1,X-1,坏行,房屋,闲置,5,-1,,", "面积(平方米)", "negative"),
        ("U1,X-1,坏行,房屋,闲置,5,,2099-01-01,", "取得日期", "future"),
        ("U1,X-1,坏行,房屋,闲置,5,,0001-01-01,", "取得日期", "1900-01-01"),
        ("U1,X-1,坏行,房屋,闲置,abc,,,", "原值", "not a number"),
        ("U9,X-1,坏行,房屋,闲置,5,,,", "单位编码", "unknown unit"),
        ("U3,X-1,坏行,房屋,闲置,5,,,", "单位编码", "unknown unit"),
        ("U1,X-1,坏行,飞船,闲置,5,,,", "资产类型", "not one of"),
        ("U1,X-1,,房屋,闲置,5,,,", "资产名称", "required"),
        ("U1,X-1,坏行,房屋,闲置,5,,2020-02-30,", "取得日期", "real date"),
    ],
)
def test_all_or_nothing_rejects_and_names_row_column_reason(world, row, column, reason):
    report = _run(world, _gbk([*ROWS, row]), commit=True)
    assert report.rejected == 1 and not report.committed
    err = report.errors[0]
    assert (err.row, err.column) == (5, column) and reason in err.message
    assert not Asset.objects.exists() and not AuditEntry.objects.exists()


def test_valid_only_writes_the_good_rows(world):
    report = _run(world, _gbk([*ROWS, "U1,X-1,坏行,房屋,闲置,-5,,,"]), commit=True, valid_only=True)
    assert report.committed and report.new == 3 and report.rejected == 1
    assert Asset.objects.count() == 3


def test_duplicate_key_in_file_names_first_row(world):
    report = _run(world, _gbk([*ROWS, ROWS[0]]), commit=True)
    assert report.rejected == 1 and "row 2" in report.errors[0].message
    assert not Asset.objects.exists()


def test_unit_officer_imports_only_into_own_unit(world):
    report = _run(world, _gbk(ROWS), who="unit_officer", commit=True)
    assert report.rejected == 1 and report.errors[0].column == "单位编码"
    assert not Asset.objects.exists()


def test_cancel_rolls_back(world):
    with pytest.raises(ImportCancelled):
        _run(world, _gbk(ROWS), commit=True, batch_size=1, progress=lambda n: n >= 2)
    assert not Asset.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [(HEADER.encode("gbk"), "no data rows"), (b"name,kind\nx,building\n", "required field")],
)
def test_file_level_rejections(world, data, message):
    with pytest.raises(FileRejected, match=message):
        _run(world, io.BytesIO(data), commit=True)


def test_british_national_grid_coordinates(world, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_BOUNDS": None}  # London is outside China
    data = "unit,code,name,kind,easting,northing\nU1,BNG-1,Depot,building,530000,180000\n"
    report = _run(
        world,
        io.BytesIO(data.encode()),
        commit=True,
        mapping=Mapping(options={"crs": "EPSG:27700"}),
    )
    assert report.committed, report.errors
    a = Asset.objects.get(code="BNG-1")
    assert abs(a.latitude - Decimal("51.503991")) < Decimal("0.0001")
    assert abs(a.longitude - Decimal("-0.128354")) < Decimal("0.0001")


def test_imported_rows_pass_model_validation(world):
    """Whatever the importer accepts, the model's own full_clean accepts too."""
    _run(world, _gbk(ROWS), commit=True)
    for a in Asset.objects.all():
        a.full_clean()


def test_xlsx_with_chosen_sheet(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("资产")
    ws.append(["unit", "code", "name", "kind", "book_value", "acquired_on"])
    ws.append(["U1", "XL-1", "Warehouse", "building", 1234.5, dt.datetime(2010, 1, 2)])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    report = _run(
        world,
        io.BytesIO(path.read_bytes()),
        commit=True,
        mapping=Mapping(options={"sheet": "资产"}),
    )
    assert report.committed, report.errors
    a = Asset.objects.get(code="XL-1")
    assert a.book_value == Decimal("1234.50") and a.acquired_on == dt.date(2010, 1, 2)


FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["register_libreoffice.xlsx", "register_libreoffice_gbk.csv"])
def test_files_written_by_libreoffice(world, name):
    """Files from a real spreadsheet program: LibreOffice's XLSX, and a GBK CSV."""
    with (FIXTURES / name).open("rb") as f:
        report = _run(world, f, commit=True)
    assert report.committed and (report.new, report.rejected) == (3, 0), report.errors
    depot = Asset.objects.get(code="LO-001")
    assert depot.name == "老粮站仓库" and depot.book_value == Decimal("1250000.00")
    assert depot.accumulated_depreciation == Decimal("312500.00")
    assert depot.area == Decimal("4800.50") and depot.idle_since == dt.date(2022, 7, 1)
    assert Asset.objects.get(code="LO-003").area is None


def test_utf16_unicode_text_from_excel_is_read(world):
    """Issue 13: Excel's "Unicode text" (UTF-16 with a BOM, tab-separated) was refused as
    binary."""
    import codecs

    text = (HEADER + "".join(r + "\n" for r in ROWS)).replace(",", "\t")
    text = text.replace('"1\t200.5万元"', "1200.5万元")
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        report = _run(world, io.BytesIO(bom + text.encode(codec)))
        assert (report.rows, report.new, report.rejected) == (3, 3, 0), report.errors[:3]


@pytest.mark.parametrize("name", ["nonesuch", "base64", "rot13"])
def test_an_unknown_encoding_is_refused_by_name(world, name):
    """Issue 13: an encoding name Python lacks (or a codec that is not text, such as base64)
    failed "unexpectedly"; it is refused, naming it."""
    mapping = Mapping(values=MAPPING.values, options={**MAPPING.options, "encoding": name})
    with pytest.raises(FileRejected, match=f"Unknown text encoding '{name}'"):
        _run(world, _gbk(ROWS), mapping=mapping)
