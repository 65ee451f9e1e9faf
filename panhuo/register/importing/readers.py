"""Turning an uploaded file into header + rows of text, whatever program wrote it.

Real registers arrive as CSV from Chinese Excel (GB18030/GBK), UTF-8 with or without a BOM,
UTF-16 with its BOM (Excel's "Unicode text", tab-separated), with commas, semicolons, tabs or
pipes, or as XLSX workbooks with several sheets. Rows are
yielded one at a time so that a million-row file is never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg
from panhuo.register.importing.limits import FileRejected, Limits, refuse

SNIFF_BYTES = 64 * 1024
#: Rows (or shared strings) read between two calls of a reader's ``tick``.
TICK_ROWS = 20_000
DELIMITERS = ",;\t|"
# csv refuses fields larger than this by default; registers carry long addresses and notes.
csv.field_size_limit(1024 * 1024)

EMPTY = Msg("empty_file", gettext_noop("The file is empty."))
NO_HEADER = Msg("no_header", gettext_noop("The file has no header row."))


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[list[str]]
    #: First data row's number as a person counts in the file (the header is row 1).
    first_row: int = 2
    kind: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


#: Byte-order marks of the wide encodings, longest first (UTF-32 LE starts like UTF-16 LE).
WIDE_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _wide_bom(head: bytes) -> str | None:
    for bom, name in WIDE_BOMS:
        if head.startswith(bom):
            return name
    return None


def _is_wide(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


def check_text_encoding(name: str) -> str:
    """``name`` if Python reads text in it, else FileRejected naming it (an unknown name, or
    a codec that is not a text encoding such as base64)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    # Bytes-to-bytes codecs (base64, hex, zlib …) are found by lookup but decode no text.
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise FileRejected(Msg("unknown_encoding", gettext_noop("Unknown text encoding %(enc)s."),
                               enc=repr(name)[:60]))  # fmt: skip
    return name


def detect_kind(head: bytes, filename: str = "", *, encoding: str | None = None) -> str:
    """'xlsx' or 'csv' from the content (the name only breaks ties); anything else is refused.
    Text in UTF-16 or UTF-32 (a BOM, or the encoding given) has NUL bytes and is still text."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if _wide_bom(head) or (encoding and _is_wide(encoding)):
        return "csv"
    if not head.strip():
        raise FileRejected(EMPTY)
    if head.startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\x1f\x8b")):
        raise FileRejected(Msg("not_csv_or_xlsx", gettext_noop(
            "This is not a CSV or XLSX file (old .xls, PDF, images and archives are not read); "
            "save it as CSV or XLSX."
        )))  # fmt: skip
    if b"\x00" in head:
        raise FileRejected(Msg("binary_data", gettext_noop(
            "This is not a CSV or XLSX file: it contains binary data.")))  # fmt: skip
    return "csv"


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the start decodes as UTF-8, else GB18030 (GBK's superset,
    what Chinese Excel writes)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    wide = _wide_bom(head)
    if wide:
        return wide
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRejected(Msg("encoding_unknown", gettext_noop(
            "The file's text encoding is neither UTF-8 nor GB18030/GBK; save it as UTF-8 CSV."
        ))) from None  # fmt: skip


def detect_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        raise FileRejected(NO_HEADER)
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or a sniffer defeated by quotes: count candidates in the header line.
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _clean_header(cells: list[str]) -> list[str]:
    headers = [(c or "").strip().lstrip("\ufeff") for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers or not any(headers):
        raise FileRejected(NO_HEADER)
    seen: set[str] = set()
    for i, h in enumerate(headers, start=1):
        if not h:
            raise FileRejected(Msg("header_unnamed", gettext_noop(
                "Column %(column)s of the header row has no name."), column=i))  # fmt: skip
        if h in seen:
            raise FileRejected(Msg("header_twice", gettext_noop(
                "The header “%(header)s” appears twice."), header=h))  # fmt: skip
        seen.add(h)
    return headers


def read_csv(
    stream: IO[bytes], *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    head = stream.read(SNIFF_BYTES)
    if encoding:
        check_text_encoding(encoding)
    detect_kind(head, encoding=encoding)
    enc = encoding or detect_encoding(head)
    rest = stream
    full = io.BufferedReader(_Prepend(head, rest))  # type: ignore[arg-type]
    text = io.TextIOWrapper(full, encoding=enc, errors="strict", newline="")
    sample = head.decode(enc, errors="ignore")
    delim = delimiter or detect_delimiter(sample)
    reader = csv.reader(text, delimiter=delim)
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected(NO_HEADER) from None
    except (UnicodeError, csv.Error) as exc:
        raise FileRejected(Msg("header_unreadable", gettext_noop(
            "The header row cannot be read: %(error)s"), error=str(exc))) from None  # fmt: skip
    limits = Limits.from_settings()
    _check_csv_row(header, 1, limits)
    headers = _clean_header(header)

    def rows() -> Iterator[list[str]]:
        count = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeError as exc:
                reason = getattr(exc, "reason", str(exc))
                raise FileRejected(Msg(
                    "row_not_text",
                    gettext_noop("Row %(row)s is not valid %(encoding)s text (%(reason)s)."),
                    row=reader.line_num + 1, encoding=enc, reason=str(reason),
                )) from None  # fmt: skip
            except csv.Error as exc:
                raise FileRejected(Msg(
                    "row_unreadable",
                    gettext_noop("Row %(row)s cannot be read: %(error)s."),
                    row=reader.line_num, error=str(exc),
                )) from None  # fmt: skip
            count += 1
            if count > limits.rows:
                raise refuse("rows", max=limits.rows)
            _check_csv_row(row, count + 1, limits)
            yield row

    return Table(headers, rows(), kind="csv", encoding=enc, delimiter=delim)


def _check_csv_row(row: list[str], number: int, limits: Limits) -> None:
    """Refuse a row with a value beyond the column limit or a cell beyond the character limit."""
    if not row:
        return
    if len(row) > limits.columns:
        beyond = [i for i, c in enumerate(row[limits.columns :], limits.columns + 1) if c.strip()]
        if beyond:
            raise refuse("columns", row=number, column=beyond[0], max=limits.columns)
    if max(map(len, row)) > limits.cell_chars:
        raise refuse("cell_chars", row=number, max=limits.cell_chars)


class _Prepend(io.RawIOBase):
    """A raw stream that first returns bytes already read (the sniffed head), then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def cell_text(value) -> str:
    """An XLSX cell as the text a person sees, without float noise (0.1 stays '0.1')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def read_xlsx(
    stream: IO[bytes], *, sheet: str | None = None, tick: Callable[[], None] | None = None
) -> Table:
    """A sheet of a workbook, read within the limits (importing/xlsx.py)."""
    from panhuo.register.importing.xlsx import cannot_open, open_workbook, sheet_rows

    limits = Limits.from_settings()
    stopped: list[BaseException] = []

    def ticking() -> None:
        try:
            tick()
        except BaseException as exc:  # the caller's own stop (a cancel): passed on as it is
            stopped.append(exc)
            raise

    try:
        wb = open_workbook(stream, limits, ticking if tick else None)
    except FileRejected:
        raise
    except Exception as exc:
        if stopped:
            raise stopped[0] from None
        if isinstance(exc, (zipfile.BadZipFile, KeyError, OSError, ValueError)):
            raise FileRejected(cannot_open(exc)) from None
        # openpyxl raises assorted errors on malformed parts
        raise FileRejected(Msg(
            "xlsx_malformed",
            gettext_noop("This XLSX file cannot be opened (%(kind)s)."),
            kind=type(exc).__name__,
        )) from None  # fmt: skip
    names = list(wb.sheetnames)
    if not names:
        raise FileRejected(Msg("no_sheet", gettext_noop("The workbook has no sheet.")))
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise FileRejected(Msg(
            "unknown_sheet",
            gettext_noop("The workbook has no sheet “%(sheet)s”; it has %(sheets)s."),
            sheet=sheet, sheets=", ".join(names),
        ))  # fmt: skip
    it = sheet_rows(wb, wb[sheet], limits)

    def as_row(cells: dict[int, object], width: int = 0) -> list[str]:
        """The row's text, as wide as the header (or its last value, if further)."""
        last = max(width, max(cells) if cells else 0)
        return [cell_text(cells.get(c)) for c in range(1, last + 1)]

    header_row = None
    for number, cells in it:
        if number > limits.rows:
            raise refuse("rows", max=limits.rows)
        if tick and number % TICK_ROWS == 0:
            tick()
        if any(cell_text(v) for v in cells.values()):
            header_row, header = number, as_row(cells)
            break
    if header_row is None:
        raise FileRejected(
            Msg("empty_sheet", gettext_noop("Sheet “%(sheet)s” is empty."), sheet=sheet)
        )
    headers = _clean_header(header)

    width = len(headers)

    def rows() -> Iterator[list[str]]:
        expected = header_row + 1
        for number, cells in it:
            if number - header_row > limits.rows:
                raise refuse("rows", max=limits.rows)
            # Rows without cells are absent from the file: blank rows keep the numbering.
            while expected < number:
                expected += 1
                yield [""] * width
            expected = number + 1
            yield as_row(cells, width)

    return Table(headers, rows(), first_row=header_row + 1, kind="xlsx", sheet=sheet, sheets=names)


def read_table(
    stream: IO[bytes],
    *,
    filename: str = "",
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    tick: Callable[[], None] | None = None,
) -> Table:
    """Open a CSV or XLSX stream as a Table, or raise FileRejected saying why. ``tick`` is
    called now and then while a workbook is opened (its shared strings, blank rows before
    the header): the importer's chance to report and to stop on a cancel."""
    head = stream.read(8)
    stream.seek(0)
    if detect_kind(head or b" ", filename) == "xlsx":
        return read_xlsx(stream, sheet=sheet, tick=tick)
    if not head:
        raise FileRejected(EMPTY)
    return read_csv(stream, encoding=encoding, delimiter=delimiter)
