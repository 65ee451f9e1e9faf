"""Reading an XLSX workbook within the limits (importing/limits.py).

openpyxl alone would unpack whatever the archive holds, keep every shared string in memory and
build a whole row (or, in read-only mode, pad each row to the sheet's declared width) before
anyone could look at it. So, before openpyxl opens the file, the zip directory is checked:
the total unpacked size, each part's size and its compression ratio (a zip bomb is refused
here, having unpacked nothing; ``zipfile`` never unpacks a part past its declared size).
Then openpyxl reads the workbook's small parts (bounded by ``part_bytes``), the shared
strings are read by a bounded reader of our own, and the sheet is read cell by cell with
openpyxl's cell parser (dates, numbers, booleans exactly as openpyxl reads them) in a loop
that drops each cell once read, stops at the first limit passed and never lets more than
``element_bytes`` of XML go by without a cell or row ending.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import IO
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext_noop
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

# openpyxl's own choice of parser (defusedxml's when installed, else the standard library's:
# no external entities, and expat >= 2.4 limits entity amplification).
from openpyxl.xml.functions import iterparse

from panhuo.core.texts import Msg
from panhuo.register.importing.limits import FileRejected, Limits, refuse

SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"
STRING_ITEM = f"{{{SHEET_MAIN_NS}}}si"
PLAIN_TEXT = f"{{{SHEET_MAIN_NS}}}t"
#: Parts smaller than this are not checked for their compression ratio (tiny XML packs well).
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 10_000
TICK_STRINGS = 50_000


def cannot_open(exc: BaseException) -> Msg:
    """The refusal of a file that is not a workbook one can open (the library's words kept)."""
    return Msg(
        "xlsx_cannot_open",
        gettext_noop("This XLSX file cannot be opened: %(error)s"),
        error=str(exc) or type(exc).__name__,
    )


def check_archive(stream: IO[bytes], limits: Limits) -> None:
    """Refuse an archive whose directory promises more than the limits allow."""
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(cannot_open(exc)) from None
    finally:
        stream.seek(0)
    if len(infos) > MAX_PARTS:
        raise refuse("parts", max=MAX_PARTS)
    total = sum(i.file_size for i in infos)
    if total > limits.unpacked_bytes:
        raise refuse("unpacked_bytes", size=total, max=limits.unpacked_bytes)
    for info in infos:
        name = info.filename
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size // max(info.compress_size, 1)
            if ratio > limits.ratio:
                raise refuse("ratio", part=name, ratio=ratio, max=limits.ratio)
        streamed = name.startswith("xl/worksheets/") or "sharedstrings" in name.lower()
        if not streamed and info.file_size > limits.part_bytes:
            raise refuse("part_bytes", part=name, size=info.file_size, max=limits.part_bytes)


class _Guard(io.RawIOBase):
    """A part's stream that refuses once ``most`` bytes were read since the last ``mark()``:
    whatever the XML parser is holding (one unfinished element) stays bounded."""

    def __init__(self, raw: IO[bytes], most: int, part: str):
        self.raw, self.most, self.part = raw, most, part
        self.read_bytes = self.marked = 0

    def readable(self) -> bool:
        return True

    def mark(self) -> None:
        self.marked = self.read_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size and size > 0 else 64 * 1024)
        self.read_bytes += len(data)
        if self.read_bytes - self.marked > self.most:
            raise refuse("element_bytes", part=self.part, max=self.most)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_strings(
    raw: IO[bytes], limits: Limits, part: str, tick: Callable[[], None] | None = None
) -> list[str]:
    """The shared-string table, refused past its limits (count, characters, one string);
    ``tick`` is called every TICK_STRINGS entries."""
    guard = _Guard(raw, limits.element_bytes, part)
    strings: list[str] = []
    total = 0
    root = None
    for event, node in iterparse(guard, events=("start", "end")):
        if root is None:
            root = node
        if event != "end" or node.tag != STRING_ITEM:
            continue
        if len(node) == 1 and node[0].tag == PLAIN_TEXT and not len(node[0]):
            text = node[0].text or ""  # the common case, without openpyxl's rich-text model
        else:
            text = Text.from_tree(node).content
        text = text.replace("x005F_", "")
        root.clear()  # drop the item read (and any before it)
        guard.mark()
        if len(text) > limits.cell_chars:
            raise refuse("string_chars", max=limits.cell_chars)
        total += len(text)
        if total > limits.shared_chars:
            raise refuse("shared_chars", max=limits.shared_chars)
        strings.append(text)
        if len(strings) > limits.shared_strings:
            raise refuse("shared_strings", max=limits.shared_strings)
        if tick and len(strings) % TICK_STRINGS == 0:
            tick()
    return strings


class _Sheet(ReadOnlyWorksheet):
    """A read-only sheet that does not scan its part for its dimensions when opened (that scan
    keeps every element before the cells); ``sheet_rows`` reads it."""

    def _get_size(self) -> None:
        return None


class _BoundedReader(ExcelReader):
    """openpyxl's reader with the shared strings read by ``read_strings`` and the sheets
    opened lazily (charts are not data, so chart sheets are left out)."""

    limits: Limits
    tick: Callable[[], None] | None = None

    def read_strings(self) -> None:
        ct = self.package.find(SHARED_STRINGS)
        if ct is not None:
            path = ct.PartName[1:]
            if path in self.valid_files:
                with self.archive.open(path) as src:
                    self.shared_strings = read_strings(src, self.limits, path, self.tick)

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                ws = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)


def open_workbook(stream: IO[bytes], limits: Limits, tick: Callable[[], None] | None = None):
    """The workbook (read-only, values only), after the archive passed ``check_archive``."""
    check_archive(stream, limits)
    reader = _BoundedReader(stream, read_only=True, data_only=True)
    reader.limits, reader.tick = limits, tick
    try:
        reader.read()
    except ValueError as exc:
        # openpyxl wraps every ValueError it meets, ours (a limit) included.
        if isinstance(exc.__cause__, FileRejected):
            raise exc.__cause__ from None
        raise
    return reader.wb


def sheet_rows(wb, ws, limits: Limits) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column: value}) of each row of ``ws`` that has cells, in order; refused
    at the first value beyond the limits of columns or characters."""
    part = ws._worksheet_path
    parser = WorkSheetParser(None, ws._shared_strings, data_only=True, epoch=wb.epoch,
                             date_formats=wb._date_formats,
                             timedelta_formats=wb._timedelta_formats)  # fmt: skip
    with ws._get_source() as raw:
        guard = _Guard(raw, limits.element_bytes, part)
        depth = 0
        root = sheet_data = row = None
        cells: dict[int, object] = {}
        try:
            for event, node in iterparse(guard, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = node
                    elif depth == 2 and node.tag == SHEET_DATA:
                        sheet_data = node
                    elif depth == 3 and node.tag == ROW_TAG and sheet_data is not None:
                        row, cells = node, {}
                        r = node.get("r")
                        parser.row_counter = int(float(r)) if r else parser.row_counter + 1
                        parser.col_counter = 0
                    continue
                depth -= 1
                if node.tag == CELL_TAG and row is not None and depth == 3:
                    cell = parser.parse_cell(node)
                    value = cell["value"]
                    row.clear()  # drop the cell read
                    guard.mark()
                    if value is None or value == "":
                        continue
                    if cell["column"] > limits.columns:
                        raise refuse("columns", row=parser.row_counter,
                                     column=cell["column"], max=limits.columns)  # fmt: skip
                    if isinstance(value, str) and len(value) > limits.cell_chars:
                        raise refuse("cell_chars", row=parser.row_counter, max=limits.cell_chars)
                    cells[cell["column"]] = value
                elif node.tag == ROW_TAG and depth == 2:
                    yield parser.row_counter, cells
                    row, cells = None, {}
                    sheet_data.clear()
                    guard.mark()
                elif node.tag == SHEET_DATA:
                    return  # nothing after the cells is needed
                elif depth == 1 and root is not None:
                    root.clear()  # a finished part of the sheet before its cells
                    guard.mark()
        except ParseError as exc:
            raise FileRejected(Msg(
                "xlsx_unreadable",
                gettext_noop("This XLSX file cannot be read (%(part)s: %(error)s)."),
                part=part, error=str(exc),
            )) from None  # fmt: skip
