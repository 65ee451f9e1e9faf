"""Saved column mappings through the register's pages: reading a sample's headers, saving,
editing, deleting, and bad input.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import (
    USERS,
    client_for,
)
from panhuo.integrity.models import AuditEntry
from panhuo.register import import_mappings, imports
from panhuo.register.import_models import ImportMapping
from panhuo.register.models import Asset
from panhuo.register.tests.views_depth_support import (
    IMPORTERS,
    fingerprint,
    run_of,
    upload,
)

# --- saved column mappings ----------------------------------------------------------------

SOURCE = (
    "单位编码;资产编号;资产名称;资产类型;账面原值;使用状态;备注;东坐标;北坐标;取得日期\n"
    "U1;M-1;旧粮库;building;120;闲置;x;530000;180000;12/31/2019\n"
    "U1;M-2;旧车;vehicle;3.5;在用;y;530100;180100;01/02/2020\n"
)


def _read(c, text=SOURCE, url=None, **data):
    f = io.BytesIO(text.encode())
    f.name = "source.csv"
    return c.post(url or reverse("import-mapping-create"), {"action": "read", "sample": f, **data})


def test_mapping_editor_reads_headers_and_saves_a_mapping_that_imports(world, data_dir, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_BOUNDS": None}  # its grid is British
    c = client_for(world, "office")
    page = _read(c, name="Old grain system", delimiter=";")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.header_list[:3] == ["单位编码", "资产编号", "资产名称"]
    initial = {form[f"col_{i}"].label: form[f"col_{i}"].value() for i in range(10)}
    assert initial["单位编码"] == "unit" and initial["资产编号"] == "code"
    assert initial["备注"] in ("", None)
    # The sample's words that the import would not understand by itself are offered.
    words = [form[s].value() for s, _d in form.value_names["status"]]
    assert "闲置" in words and "在用" in words
    assert page.context["sample"]["columns"] == 10
    data = {k: v for k, v in {**form.initial}.items() if v is not None}
    data.update({
        "action": "save", "name": "Old grain system", "headers": form.initial["headers"],
        f"col_{form.header_list.index('东坐标')}": "x",
        f"col_{form.header_list.index('北坐标')}": "y",
        "date_order": "mdy", "amount_unit": "wan", "crs": "EPSG:27700", "delimiter": ";",
    })  # fmt: skip
    for s, d in form.value_names["status"]:
        data[s] = form[s].value() or ""
        data[d] = {"闲置": "idle", "在用": "in_use"}.get(data[s], "")
    response = c.post(reverse("import-mapping-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    saved = ImportMapping.objects.get(owner=world.user("office"))
    assert saved.columns["东坐标"] == "x" and saved.columns["资产编号"] == "code"
    assert saved.values == {"status": {"闲置": "idle", "在用": "in_use"}}
    assert saved.options == {
        "date_order": "mdy", "amount_unit": "wan", "crs": "EPSG:27700", "delimiter": ";",
    }  # fmt: skip
    assert "Old grain system" in c.get(reverse("import-mapping-list")).content.decode()
    # The mapping is offered on the upload page and reads the source's file.
    assert "Old grain system" in c.get(reverse("asset-import")).content.decode()
    run = run_of(upload(c, SOURCE, mapping="Old grain system"))
    assert run.mapping_name == "Old grain system"
    imports.execute_import(run)
    report = c.get(run.get_absolute_url()).context["report"]
    assert report["new"] == 2 and report["rejected"] == 0, report["errors"]
    granary = Asset.objects.get(code="M-1")
    assert granary.status == "idle" and granary.book_value == Decimal("1200000.00")
    assert granary.acquired_on == dt.date(2019, 12, 31)
    assert Decimal("50") < granary.latitude < Decimal("52")  # British grid → WGS 84


def test_mapping_edit_keeps_choices_and_is_the_owners_alone(world, data_dir):
    mapping = import_mappings.mapping_save(
        actor=world.user("office"),
        name="Tabbed",
        columns={"Unit": "unit", "Code": "code", "Name": "name", "Type": "kind"},
        values={"kind": {"房屋": "building"}},
        options={"delimiter": "\t", "date_order": "dmy"},
    )
    c = client_for(world, "office")
    page = c.get(reverse("import-mapping-edit", args=[mapping.pk]))
    form = page.context["form"]
    assert form.header_list == ["Unit", "Code", "Name", "Type"]
    assert form.initial["delimiter"] == "tab" and form.initial["col_3"] == "kind"
    assert form[form.value_names["kind"][0][0]].value() == "房屋"
    # A new sample keeps the choice made for a header it still has, and matches the new ones.
    reread = _read(
        c,
        "Type,Unit,Code,Name,Book value\nbuilding,U1,C1,Shed,5\n",
        url=reverse("import-mapping-edit", args=[mapping.pk]),
        headers=form.initial["headers"],
        col_3="",  # "Type" was unmapped in the form before reading
        col_0="unit",
        col_1="code",
        col_2="name",
        name="Tabbed",
    )
    new = reread.context["form"]
    assert new.header_list == ["Type", "Unit", "Code", "Name", "Book value"]
    assert [new[f"col_{i}"].value() for i in range(5)] == ["", "unit", "code", "name", "book_value"]
    before = fingerprint()
    for who, status in (("office2", 404), ("unit_officer", 404), ("head", 403)):
        other = client_for(world, who)
        assert other.get(reverse("import-mapping-edit", args=[mapping.pk])).status_code == status
        response = other.post(
            reverse("import-mapping-edit", args=[mapping.pk]), {"action": "save", "name": "Tabbed"}
        )
        assert response.status_code == status
    assert fingerprint() == before


def test_mapping_delete_by_owner_only(world):
    mapping = import_mappings.mapping_save(actor=world.user("office"), name="Gone soon", columns={})
    url = reverse("import-mapping-delete", args=[mapping.pk])
    before = fingerprint()
    for who, status in (("office2", 404), ("outsider_office", 404), ("head", 403)):
        assert client_for(world, who).post(url).status_code == status
    assert client_for(world, "office").get(url).status_code == 405
    assert fingerprint() == before
    response = client_for(world, "office").post(url)
    assert response.status_code == 302 and response["Location"] == reverse("import-mapping-list")
    assert not ImportMapping.objects.exists()
    assert AuditEntry.objects.filter(action="import_mapping.delete").exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"crs": "EPSG:999999999"}, "crs"),
        ({"encoding": "klingon"}, "encoding"),
        ({"date_order": "ymd"}, "date_order"),
        ({"amount_unit": "lakh"}, "amount_unit"),
        ({"col_1": "unit"}, "col_1"),  # two columns → one field
        ({"col_0": "wingspan"}, "col_0"),
        ({"col_0": "name"}, None),  # no column holds the unit: non-field error
        ({"name": ""}, "name"),
        ({"val_kind_0_from": "", "val_kind_0_to": "building"}, "val_kind_0_from"),
    ],
)
def test_mapping_bad_input_names_the_field_and_writes_nothing(world, over, field):
    data = {
        "action": "save",
        "name": "Mine",
        "headers": '["Unit", "Code"]',
        "col_0": "unit",
        "col_1": "code",
        "date_order": "dmy",
        "amount_unit": "yuan",
        "val_kind_0_from": "",
        "val_kind_0_to": "",
        **over,
    }
    before = fingerprint()
    response = client_for(world, "office").post(reverse("import-mapping-create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field or "__all__") in errors, errors
    assert b"Nothing was saved" in response.content
    assert fingerprint() == before


def test_reading_a_sample_that_is_not_a_table_says_why(world):
    c = client_for(world, "office")
    before = fingerprint()
    missing = c.post(reverse("import-mapping-create"), {"action": "read", "name": "x"})
    assert "sample" in missing.context["form"].errors
    f = io.BytesIO(b"%PDF-1.4")
    f.name = "scan.pdf"
    pdf = c.post(reverse("import-mapping-create"), {"action": "read", "sample": f})
    assert "not a CSV or XLSX" in pdf.context["form"].errors["sample"][0]
    wb = Workbook()
    wb.active.title = "Sheet1"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "book.xlsx"
    sheet = c.post(
        reverse("import-mapping-create"), {"action": "read", "sample": buf, "sheet": "Assets"}
    )
    assert "no sheet “Assets”" in sheet.context["form"].errors["sample"][0]
    assert fingerprint() == before


@per_caller(sorted(set(USERS) - IMPORTERS))
def test_mapping_save_refused_to_non_importers(world, who):
    before = fingerprint()
    response = client_for(world, who).post(
        reverse("import-mapping-create"),
        {"action": "save", "name": "X", "date_order": "dmy", "amount_unit": "yuan"},
    )
    assert response.status_code == 403 and fingerprint() == before
