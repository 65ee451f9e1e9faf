"""The asset export's headers say the unit of its amounts (yuan) and the edition of each
classification code; a header's unit is the unit the import reads that column in, so the
export reads back unchanged whatever the file's option, and a "原值（万元）" column is 万元."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

from panhuo.core.testing import AssetFactory
from panhuo.register.exporting import HEADERS, stream_csv
from panhuo.register.importing.engine import Mapping, import_assets
from panhuo.register.importing.fields import header_unit
from panhuo.register.models import Asset, ClassificationCode


def test_headers_state_the_unit_and_the_edition(world):
    assert "book_value (yuan)" in HEADERS and "annual_income (yuan)" in HEADERS
    assert HEADERS[HEADERS.index("classification") + 1] == "classification_edition"
    AssetFactory(
        unit=world.unit,
        code="E1",
        book_value=D("12.30"),
        classification=ClassificationCode.objects.get(code="2030000"),
    )
    text = b"".join(stream_csv(Asset.objects.all())).decode("utf-8-sig")
    row = dict(zip(*list(csv.reader(io.StringIO(text))), strict=True))
    assert row["book_value (yuan)"] == "12.30"
    assert (row["classification"], row["classification_edition"]) == ("2030000", "GB/T 14885-2010")


def test_the_export_reads_back_in_yuan_even_when_the_file_option_says_wan(world):
    AssetFactory(unit=world.unit, code="E1", book_value=D("1234.56"))
    exported = b"".join(stream_csv(Asset.objects.all()))
    report = import_assets(
        actor=world.user("office"),
        stream=io.BytesIO(exported),
        mapping=Mapping(options={"amount_unit": "wan"}),
    )
    assert (report.rejected, report.unchanged) == (0, 1), report
    assert report.columns["classification_edition"] == "classification_edition"
    assert report.ignored_headers == []


def test_a_code_of_another_edition_is_a_row_error(world):
    data = (
        "unit,code,name,kind,classification,classification_edition\n"
        "U1,W-1,Lorry,vehicle,2030000,GB/T 14885-2010\n"
        "U1,W-2,Lorry,vehicle,2030000,GB/T 14885-2022\n"
    )
    report = import_assets(actor=world.user("office"), stream=io.BytesIO(data.encode()))
    assert (report.new, report.rejected) == (1, 1), report
    (error,) = [e for e in report.errors if e.column == "classification_edition"]
    assert error.row == 3 and "GB/T 14885-2010" in error.message


def test_a_wan_header_is_read_in_wan(world):
    data = "unit,code,name,kind,原值（万元）\nU1,W-1,Old school,building,123.4567\n"
    report = import_assets(
        actor=world.user("office"), stream=io.BytesIO(data.encode()), commit=True
    )
    assert report.columns["原值（万元）"] == "book_value" and report.new == 1, report
    assert Asset.objects.get(code="W-1").book_value == D("1234567.00")


def test_header_unit():
    assert header_unit("原值（万元）") == ("原值", "wan")
    assert header_unit("book_value (yuan)") == ("book_value", "yuan")
    assert header_unit("Amount (亿元) ") == ("Amount", "yi")
    assert header_unit("area (m²)") == ("area (m²)", None)
