"""Cell parsers: the formats real registers use, and fuzzing that they only ever report."""

import contextlib
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.importing.values import (
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("01/03/2024", dt.date(2024, 3, 1)),
        ("2024/3/1", dt.date(2024, 3, 1)),
        ("2024年3月1日", dt.date(2024, 3, 1)),
        ("2024 年 3 月 1 日", dt.date(2024, 3, 1)),
        ("2024-03-01 00:00:00", dt.date(2024, 3, 1)),
        ("", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_month_first_when_the_mapping_says_so():
    assert parse_date("03/01/2024", order="mdy") == dt.date(2024, 3, 1)


@pytest.mark.parametrize("text", ["2024-02-30", "31/31/2024", "yesterday", "2024-13-01", "1/2"])
def test_bad_dates(text):
    with pytest.raises(ValueError, match=repr(text)[1:-1][:4]):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1,234.50", "yuan", Decimal("1234.50")),
        ("¥1234.5", "yuan", Decimal("1234.50")),
        ("12.5万元", "yuan", Decimal("125000.00")),
        ("3亿", "yuan", Decimal("300000000.00")),
        ("1.23456万", "yuan", Decimal("12345.60")),
        ("2.5", "wan", Decimal("25000.00")),
        ("(100)", "yuan", Decimal("-100.00")),
        ("1 000 000", "yuan", Decimal("1000000.00")),
        ("", "yuan", None),
    ],
)
def test_amounts(text, unit, expected):
    assert parse_amount(text, unit=unit) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3", "NaN", "Infinity", "1e999", "万元"])
def test_bad_amounts(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_decimal_and_bool_and_choice():
    assert parse_decimal("1,200.555") == Decimal("1200.56")
    assert parse_bool("是") is True and parse_bool("no") is False
    with pytest.raises(ValueError):
        parse_bool("maybe")
    choices = {"idle": "Idle", "in_use": "In use"}
    assert parse_choice("IDLE", choices) == "idle"
    assert parse_choice("In use", choices) == "in_use"
    assert parse_choice("闲置", choices, {"闲置": "idle"}) == "idle"
    assert parse_choice("Vacant", choices, {"vacant": "idle"}) == "idle"
    with pytest.raises(ValueError):
        parse_choice("Sold", choices)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_value_parsers_only_report(text):
    """Any cell text either parses or raises ValueError: never another exception."""
    for parse in (parse_date, parse_amount, parse_decimal, parse_bool):
        with contextlib.suppress(ValueError):
            parse(text)


def _read_all(data: bytes, **kw):
    table = read_table(io.BytesIO(data), **kw)
    return table, list(table.rows)


def test_utf8_bom_semicolons():
    data = "\ufeffcode;name\nA1;Depot\n".encode()
    table, rows = _read_all(data)
    assert table.headers == ["code", "name"] and rows == [["A1", "Depot"]]
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ";")


def test_gbk_tabs():
    data = "资产编号\t名称\nA1\t闲置办公楼\n".encode("gbk")
    table, rows = _read_all(data)
    assert table.headers == ["资产编号", "名称"] and rows == [["A1", "闲置办公楼"]]
    assert table.encoding == "gb18030"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary", "not a CSV"),
        (b"%PDF-1.4 ...", "not a CSV"),
        (b"code,code\n1,2\n", "twice"),
        (b"code,,name\n1,2,3\n", "no name"),
        (b"PK\x03\x04garbage", "cannot be opened"),
    ],
)
def test_rejected_files(data, message):
    with pytest.raises(FileRejected, match=message):
        _read_all(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_reader_fuzz_random_bytes(data):
    """Random bytes are read or rejected with FileRejected; nothing else escapes."""
    with contextlib.suppress(FileRejected):
        _read_all(data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=8), min_size=1, max_size=4), min_size=1, max_size=6))
def test_reader_fuzz_random_cells(cells):
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(cells)
    try:
        _table, rows = _read_all(buf.getvalue().encode())
    except FileRejected:
        return
    assert len(rows) <= len(cells)


def test_xlsx_sheets(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Summary"
    wb.active.append(["note"])
    ws = wb.create_sheet("Assets")
    ws.append(["code", "value", "acquired"])
    ws.append(["A1", 0.1, dt.datetime(2020, 5, 17)])
    ws.append(["A2", 1234567.0, None])
    path = tmp_path / "reg.xlsx"
    wb.save(path)
    table, rows = _read_all(path.read_bytes(), sheet="Assets")
    assert table.sheets == ["Summary", "Assets"]
    assert rows == [["A1", "0.1", "2020-05-17"], ["A2", "1234567", ""]]
    with pytest.raises(FileRejected, match="no sheet"):
        _read_all(path.read_bytes(), sheet="Nope")
