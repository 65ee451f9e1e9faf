"""Bounded parsing: crafted files (built here, none committed) are refused at a named limit,
with memory bounded, both as an import and as a mapping's sample; an import whose rows are
all rejected reports them as it goes and can be cancelled.

Memory is measured (tracemalloc's peak) only as part of the refusal condition: the file must
be refused *and* without having taken more than the bound. Timings are in
``bench/import_limits.py``.
"""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from panhuo.core.tests.views_support import client_for
from panhuo.register.importing.engine import ImportCancelled, import_assets
from panhuo.register.importing.readers import FileRejected, read_table

MIB = 1024 * 1024
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def base_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["unit", "code", "name", "kind", "book_value", "status"])
    ws.append(["U1", "L-1", "Depot", "building", 1000, "idle"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def craft(parts: dict[str, object]) -> bytes:
    """The base workbook with ``parts`` replaced: bytes, or an iterable of byte chunks written
    one after another (so a part of hundreds of MiB is never built in memory)."""
    src = zipfile.ZipFile(io.BytesIO(base_xlsx()))
    if STRINGS in parts:  # openpyxl wrote its strings inline: declare the new part
        types = src.read("[Content_Types].xml").replace(b"</Types>", (
            f'<Override PartName="/{STRINGS}" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ).encode())  # fmt: skip
        parts = {"[Content_Types].xml": types, **parts}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        names = [*src.namelist(), *(n for n in parts if n not in src.namelist())]
        for name in names:
            content = parts.get(name, src.read(name) if name in src.namelist() else b"")
            with z.open(name, "w", force_zip64=True) as f:
                for chunk in [content] if isinstance(content, bytes) else content:
                    f.write(chunk)
    return out.getvalue()


def sheet(rows: str, before: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{before}'
            f"<sheetData>{rows}</sheetData></worksheet>").encode()  # fmt: skip


HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>code</t></is></c></row>'
)


def set_limits(settings, **values: int) -> None:
    """Replace (not mutate: the settings fixture restores only what was set) the limits."""
    limits = {**settings.PANHUO["IMPORT_LIMITS"], **{k.upper(): v for k, v in values.items()}}
    settings.PANHUO = {**settings.PANHUO, "IMPORT_LIMITS": limits}


def refused(data: bytes, *words: str, bound: int = 200 * MIB) -> str:
    """Read ``data`` to the end as the importer does: it must be refused with a message
    containing ``words``, and the peak of memory allocated meanwhile stay under ``bound``."""
    tracemalloc.start()
    try:
        with pytest.raises(FileRejected) as exc:
            table = read_table(io.BytesIO(data), filename="x.xlsx")
            for _row in table.rows:
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(exc.value)
    for word in words:
        assert word in message, message
    assert peak < bound, f"peak {peak / MIB:.0f} MiB while refusing: {message}"
    return message


def bomb(unpacked_mib: int) -> bytes:
    """A workbook whose sheet unpacks to ``unpacked_mib`` MiB of identical rows (packed a
    few hundred times smaller)."""
    chunk = ("<row><c><v>1</v></c></row>" * 40_000).encode()
    head, tail = sheet(HEADER).split(b"</sheetData>")
    return craft({SHEET: [head, *([chunk] * unpacked_mib), b"</sheetData>" + tail]})


def test_a_zip_bomb_is_refused_by_its_ratio_before_anything_is_unpacked():
    data = bomb(100)
    assert len(data) < 1 * MIB
    message = refused(data, "PANHUO_XLSX_MAX_RATIO", "zip bomb", bound=20 * MIB)
    assert SHEET in message


def test_refusals_name_the_limit_in_chinese_too():
    with translation.override("zh-hans"):
        message = refused(bomb(20), "PANHUO_XLSX_MAX_RATIO", bound=20 * MIB)
    assert "压缩" in message


def test_with_the_ratio_allowed_the_unpacked_total_still_bounds_it(settings):
    set_limits(settings, ratio=10**6, unpacked_bytes=50 * MIB)
    refused(bomb(60), "PANHUO_XLSX_MAX_UNPACKED_BYTES", "59.5 MiB", bound=20 * MIB)


def test_with_every_archive_check_allowed_the_row_limit_stops_the_read(settings):
    set_limits(settings, ratio=10**6, rows=100_000)
    refused(bomb(10), "100000", "PANHUO_IMPORT_MAX_ROWS", bound=50 * MIB)


def test_a_row_number_far_below_is_refused_without_reading_the_gap(settings):
    set_limits(settings, rows=1000)
    data = craft({SHEET: sheet(HEADER + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')})
    refused(data, "PANHUO_IMPORT_MAX_ROWS", bound=10 * MIB)


def test_a_value_in_column_xfd_is_refused_by_the_column_limit():
    data = craft({SHEET: sheet(HEADER + '<row r="2"><c r="XFD2"><v>1</v></c></row>')})
    refused(data, "column 16384", "PANHUO_IMPORT_MAX_COLUMNS", bound=10 * MIB)


def test_a_declared_dimension_of_the_whole_sheet_pads_nothing():
    """A forged <dimension> used to make every row 16384 cells wide in read-only mode."""
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 2002))
    data = craft({SHEET: sheet(HEADER + rows, before='<dimension ref="A1:XFD1048576"/>')})
    table = read_table(io.BytesIO(data), filename="x.xlsx")
    got = list(table.rows)
    assert len(got) == 2000 and got[0] == ["2", ""] and max(map(len, got)) == 2


def test_a_long_cell_is_refused_by_the_cell_limit_inline_or_shared():
    long = "x" * 40_000
    data = craft({SHEET: sheet(
        HEADER + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{long}</t></is></c></row>'
    )})  # fmt: skip
    refused(data, "Row 2", "32767", "PANHUO_IMPORT_MAX_CELL_CHARS", bound=20 * MIB)
    strings = f'<sst xmlns="{NS}"><si><t>unit</t></si><si><t>{long}</t></si></sst>'.encode()
    refused(craft({STRINGS: strings}), "shared string", "PANHUO_IMPORT_MAX_CELL_CHARS")


def test_a_megabyte_element_without_a_cell_ending_is_refused():
    """XML that never closes a cell (here a <cols> block before the cells) is held whole by
    the parser: refused once it passes what the longest allowed cell can take."""
    cols = "<cols>" + "".join(f'<col min="{n}" max="{n}" width="{n * 7919 % 1000}"/>'
                              for n in range(1, 40_001)) + "</cols>"  # fmt: skip
    refused(craft({SHEET: sheet(HEADER, before=cols)}), "PANHUO_IMPORT_MAX_CELL_CHARS")


def test_shared_strings_are_refused_past_their_count_and_characters(settings):
    items = "".join(f"<si><t>s{n}</t></si>" for n in range(5000))
    data = craft({STRINGS: f'<sst xmlns="{NS}">{items}</sst>'.encode()})
    set_limits(settings, shared_strings=1000)
    refused(data, "1000", "PANHUO_XLSX_MAX_SHARED_STRINGS")
    set_limits(settings, shared_strings=10**6, shared_chars=2000)
    refused(data, "2000", "PANHUO_XLSX_MAX_SHARED_CHARS")


def test_a_part_read_whole_is_bounded(settings):
    set_limits(settings, part_bytes=MIB)
    styles = zipfile.ZipFile(io.BytesIO(base_xlsx())).read("xl/styles.xml")
    noise = os.urandom(MIB).hex().encode()  # 2 MiB that do not pack
    padded = styles.replace(b"<fonts", b"<!--" + noise + b"--><fonts", 1)
    refused(craft({"xl/styles.xml": padded}), "xl/styles.xml", "PANHUO_XLSX_MAX_PART_BYTES")


def test_csv_rows_columns_and_cells_are_bounded(settings):
    set_limits(settings, rows=10, columns=5, cell_chars=100)

    def read(text: str) -> None:
        table = read_table(io.BytesIO(text.encode()), filename="x.csv")
        list(table.rows)

    with pytest.raises(FileRejected, match="PANHUO_IMPORT_MAX_ROWS"):
        read("a,b\n" + "1,2\n" * 11)
    read("a,b\n" + "1,2\n" * 10)
    with pytest.raises(FileRejected, match=r"column 7.*PANHUO_IMPORT_MAX_COLUMNS"):
        read("a,b\n1,2,,,,,x\n")
    read("a,b\n1,2,,,,,\n")  # empty cells beyond the limit are no values
    with pytest.raises(FileRejected, match=r"Row 2 .*PANHUO_IMPORT_MAX_CELL_CHARS"):
        read("a,b\n" + "y" * 101 + ",2\n")


def test_a_legitimate_workbook_reads_as_before():
    table = read_table(io.BytesIO(base_xlsx()), filename="x.xlsx")
    assert table.headers[:2] == ["unit", "code"] and table.first_row == 2
    assert list(table.rows) == [["U1", "L-1", "Depot", "building", "1000", "idle"]]


# --- as an import and as a mapping's sample ------------------------------------------------


@pytest.mark.django_db
def test_a_bomb_as_a_mapping_sample_is_refused_on_the_form(world):
    c = client_for(world, "office")
    f = io.BytesIO(bomb(20))
    f.name = "crafted.xlsx"
    tracemalloc.start()
    try:
        page = c.post(reverse("import-mapping-create"), {"action": "read", "sample": f})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert page.status_code == 200
    assert "PANHUO_XLSX_MAX_RATIO" in page.context["form"].errors["sample"][0]
    assert peak < 100 * MIB


@pytest.mark.django_db
def test_an_import_of_a_bomb_is_refused_naming_the_limit(world):
    with pytest.raises(FileRejected, match="PANHUO_XLSX_MAX_RATIO"):
        import_assets(actor=world.user("office"), stream=io.BytesIO(bomb(20)),
                      filename="crafted.xlsx", commit=True)  # fmt: skip


@pytest.mark.django_db
def test_rows_all_rejected_are_reported_as_read_and_the_import_can_be_cancelled(world):
    rows = "".join(f"U1,R-{n},Asset,spaceship,-1,idle\n" for n in range(5000))
    data = ("unit,code,name,kind,book_value,status\n" + rows).encode()
    seen: list[int] = []

    def progress(read: int) -> bool:
        seen.append(read)
        return len(seen) == 3  # cancel at the third report

    with pytest.raises(ImportCancelled):
        import_assets(actor=world.user("office"), stream=io.BytesIO(data), filename="r.csv",
                      commit=True, batch_size=1000, progress=progress)  # fmt: skip
    assert seen == [1000, 2000, 3000]


@pytest.mark.django_db
def test_an_import_can_be_cancelled_while_the_workbook_opens(world):
    """A big shared-string table takes a while to read: the import reports and can be
    cancelled during it, before the first row."""
    items = "".join(f"<si><t>s{n}</t></si>" for n in range(120_000))
    data = craft({STRINGS: f'<sst xmlns="{NS}">{items}</sst>'.encode()})
    seen: list[int] = []

    def progress(read: int) -> bool:
        seen.append(read)
        return True

    with pytest.raises(ImportCancelled):
        import_assets(actor=world.user("office"), stream=io.BytesIO(data), filename="s.xlsx",
                      commit=True, progress=progress)  # fmt: skip
    assert seen == [0]


def test_blank_rows_before_the_header_count_against_the_row_limit(settings):
    set_limits(settings, rows=1000)
    blank = "".join(f'<row r="{n}"/>' for n in range(1, 1500))
    data = craft({SHEET: sheet(blank + HEADER.replace('r="1"', 'r="1500"'))})
    refused(data, "PANHUO_IMPORT_MAX_ROWS", bound=10 * MIB)


@pytest.mark.django_db
def test_a_sample_keeps_rows_only_up_to_its_character_budget(world, monkeypatch):
    """Each cell within the limits, a wide sample of long cells still must not fill the web
    process: the sample stops at SAMPLE_CHARS characters."""
    from panhuo.register import import_mapping_views

    monkeypatch.setattr(import_mapping_views, "SAMPLE_CHARS", 10_000)
    f = io.BytesIO(("unit,code,name\n" + f"U1,C,{'n' * 1000}\n" * 50).encode())
    f.name = "wide.csv"
    page = client_for(world, "office").post(
        reverse("import-mapping-create"), {"action": "read", "sample": f}
    )
    assert page.status_code == 200 and page.context["sample"]["rows"] == 10
