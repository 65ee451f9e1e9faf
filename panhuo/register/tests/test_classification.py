"""The classification list: its edition, the GB/T 14885-2022 layout, row errors, dry run."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import Operator, audit_verify
from panhuo.register.classification import SHIPPED_EDITION, code_key, load_classification
from panhuo.register.models import ClassificationCode, ClassificationEdition

SAMPLE = Path(__file__).parent / "fixtures" / "classification_gbt14885_2022_sample.csv"
OP = Operator("tester")


def load(text: str, **kw):
    kw.setdefault("edition", "Local list 2026")
    return load_classification(io.BytesIO(text.encode("utf-8")), actor=OP, filename="t.csv", **kw)


def test_top_levels_ship_with_the_database_and_state_their_edition(db):
    vehicles = ClassificationCode.objects.get(code="2030000")
    assert vehicles.parent.code == "2" and vehicles.level == 2
    assert ClassificationCode.objects.filter(parent__isnull=True).count() == 6
    # Their codes and names are the 2010 edition's.
    assert vehicles.edition.name == SHIPPED_EDITION == "GB/T 14885-2010"
    assert not ClassificationCode.objects.filter(edition__isnull=True).exists()


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("1", "1"),
        ("1010000", "101"),
        ("101", "101"),
        ("2030100", "20301"),
        ("80101011", "80101011"),
    ],
)
def test_code_key_strips_the_padding(code, key):
    assert code_key(code) == key


@pytest.mark.parametrize("code", ["", "A01", "10", "1010", "0010000", "1000100", "123456789"])
def test_bad_codes(code):
    with pytest.raises(ValueError):
        code_key(code)


def test_the_2022_layout_derives_parents_and_records_the_edition(db):
    with SAMPLE.open("rb") as f:
        report = load_classification(f, edition="GB/T 14885-2022", actor=OP, filename=SAMPLE.name)
    assert report.layout == "gbt14885" and len(report.created) == 11 and not report.updated
    leaf = ClassificationCode.objects.get(code="80101011")
    assert leaf.level == 5 and leaf.parent.code == "8010101"
    assert [leaf.parent.parent.code, leaf.parent.parent.parent.code] == ["8010100", "8010000"]
    assert leaf.parent.parent.parent.parent.code == "8"
    # A code cut to its significant digits (80201) is the parent of the padded 8020101.
    assert ClassificationCode.objects.get(code="8020101").parent.code == "80201"
    assert ClassificationCode.objects.get(code="8").description.startswith("本文件为测试而编")
    edition = ClassificationEdition.objects.get(name="GB/T 14885-2022")
    assert edition.codes.count() == 11 and edition.source == SAMPLE.name
    assert edition.loaded_by == "tester (command line)"
    # Audited: the load, and each code it created; the chain holds.
    assert AuditEntry.objects.filter(action="classification.load").count() == 1
    assert AuditEntry.objects.filter(action="classification.create").count() == 11
    assert audit_verify().ok
    # Loading it again changes nothing.
    with SAMPLE.open("rb") as f:
        again = load_classification(f, edition="GB/T 14885-2022", actor=OP)
    assert (again.created, again.updated, again.unchanged) == ([], [], 11)


def test_a_code_under_a_shipped_class_and_a_renamed_one(db):
    report = load("代码,名称,说明\n2030100,载货汽车,\n2030000,车辆（改）,新版名称\n")
    assert report.created == ["2030100"] and report.updated == ["2030000"]
    truck = ClassificationCode.objects.get(code="2030100")
    assert truck.parent.code == "2030000" and truck.level == 3
    assert truck.parent.edition.name == "Local list 2026"


def test_row_errors_name_row_and_field_and_nothing_is_written(db):
    n, audited = ClassificationCode.objects.count(), AuditEntry.objects.count()
    text = (
        "代码,名称,说明\n"
        "8,好,\n"  # row 2 fine
        "8A1,坏代码,\n"  # row 3 bad code
        "8010100,缺大类,\n"  # row 4 parent 801 missing
        "8,重复,\n"  # row 5 duplicate of row 2
        "8000000,同一门类,\n"  # row 6 the same class as row 2
        "8020000,,\n"  # row 7 no name
    )
    with pytest.raises(ValidationError) as caught:
        load(text)
    errors = caught.value.message_dict
    assert any(m.startswith("Row 3:") and "8A1" in m for m in errors["code"])
    assert any(m.startswith("Row 4:") and "801" in m for m in errors["parent"])
    assert any(m.startswith("Row 5:") and "row 2" in m for m in errors["code"])
    assert any(m.startswith("Row 6:") and "row 2" in m for m in errors["code"])
    assert any(m.startswith("Row 7:") for m in errors["name"])
    assert ClassificationCode.objects.count() == n and AuditEntry.objects.count() == audited
    assert not ClassificationEdition.objects.filter(name="Local list 2026").exists()


def test_a_padded_class_already_in_the_list_is_refused(db):
    with pytest.raises(ValidationError, match="write it as 2"):
        load("代码,名称\n2000000,通用设备\n")


def test_dry_run_reports_and_writes_nothing(db):
    n, audited = ClassificationCode.objects.count(), AuditEntry.objects.count()
    with SAMPLE.open("rb") as f:
        report = load_classification(f, edition="GB/T 14885-2022", actor=OP, dry_run=True)
    assert len(report.created) == 11 and "nothing was written" in report.summary()
    assert ClassificationCode.objects.count() == n and AuditEntry.objects.count() == audited
    assert not ClassificationEdition.objects.filter(name="GB/T 14885-2022").exists()


def test_the_edition_must_be_named(db):
    with pytest.raises(ValidationError) as caught:
        load("代码,名称\n8,x\n", edition="  ")
    assert "edition" in caught.value.message_dict


def test_local_list_with_parent_column_children_before_parents(db):
    data = "code,name,parent\n2030100,载货汽车,2030001\n2030001,汽车,2030000\n".encode("gbk")
    report = load_classification(io.BytesIO(data), edition="Local", actor=OP)
    assert report.layout == "parent" and len(report.created) == 2
    truck = ClassificationCode.objects.get(code="2030100")
    assert truck.parent.code == "2030001" and truck.level == 4
    again = load_classification(io.BytesIO(data), edition="Local", actor=OP)
    assert (again.created, again.updated) == ([], [])


def test_unknown_parent_writes_nothing(db):
    n = ClassificationCode.objects.count()
    with pytest.raises(ValidationError, match="unknown parent"):
        load("code,name,parent\nX1,x,NOPE\n")
    assert ClassificationCode.objects.count() == n


def test_command_dry_run_load_and_errors(db):
    out = io.StringIO()
    call_command("loadcodes", str(SAMPLE), "--edition", "GB/T 14885-2022", "--dry-run", stdout=out)
    assert "11 codes created" in out.getvalue() and "Dry run" in out.getvalue()
    assert not ClassificationCode.objects.filter(code="8").exists()
    call_command(
        "loadcodes", str(SAMPLE), "--edition", "GB/T 14885-2022", "--operator", "li", stdout=out
    )
    assert ClassificationCode.objects.get(code="8").edition.loaded_by == "li (command line)"


def test_command_reports_every_row_error(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("代码,名称\n9010100,x\n12,y\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("loadcodes", str(bad), "--edition", "GB/T 14885-2022")
    text = str(caught.value)
    assert "nothing was loaded" in text and "Row 2:" in text and "Row 3:" in text
