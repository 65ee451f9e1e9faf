"""Exporting assets to CSV and XLSX, row by row, in the columns the import reads back.

Nothing is held in memory: rows come from a server-side iterator in chunks and are written
as they arrive, so a million-row register exports in constant memory. The headers are the
field names, which the import maps automatically, so an export re-imports unchanged; amount
headers state their unit (yuan) and the classification code is followed by its edition (which
the import leaves aside: it reads the code).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from panhuo.core.lists import XLSX_TYPE
from panhuo.core.ui import is_plain_number
from panhuo.register.importing.fields import ATTRIBUTE_KEYS
from panhuo.register.models import Asset

COLUMNS = [
    "unit", "code", "name", "kind", "classification", "classification_edition", "address",
    "latitude", "longitude", "area", "book_value", "accumulated_depreciation",
    "appraised_value", "annual_income", "annual_holding_cost", "status", "idle_since",
    "criticality", "certificate_number", "title_complete", "acquired_on",
]  # fmt: skip
#: Amount columns: their headers state the unit, yuan (exact, two decimals), which the import
#: reads back as the unit of the column ("book_value (yuan)").
MONEY_COLUMNS = {
    "book_value", "accumulated_depreciation", "appraised_value", "annual_income",
    "annual_holding_cost",
}  # fmt: skip
HEADERS = [f"{c} (yuan)" if c in MONEY_COLUMNS else c for c in COLUMNS] + [
    f"attributes.{k}" for k in ATTRIBUTE_KEYS
]
_VALUES = [
    "unit__code", "code", "name", "kind", "classification__code",
    "classification__edition__name", "address", "latitude", "longitude", "area", "book_value",
    "accumulated_depreciation", "appraised_value", "annual_income", "annual_holding_cost",
    "status", "idle_since", "criticality", "certificate_number", "title_complete",
    "acquired_on", "attributes",
]  # fmt: skip


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def asset_rows(qs: QuerySet, chunk_size: int = 5000) -> Iterator[list[str]]:
    """Each asset of ``qs`` as a list of cell texts in HEADERS order."""
    for row in qs.values_list(*_VALUES).iterator(chunk_size=chunk_size):
        attrs = row[-1] or {}
        yield [_text(v) for v in row[:-1]] + [_text(attrs.get(k)) for k in ATTRIBUTE_KEYS]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @ …) gets a leading apostrophe;
    the import takes it off again, so exports still re-import unchanged. Numbers such as
    -0.5 are left alone."""
    if cell.startswith(FORMULA_STARTS) and not is_plain_number(cell):
        return "'" + cell
    return cell


def csv_unsafe(cell: str) -> str:
    """Undo :func:`csv_safe` on import."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(qs: QuerySet) -> Iterator[bytes]:
    """CSV bytes, UTF-8 with a BOM so that Excel shows Chinese text correctly. On PostgreSQL
    the rows are the database's own COPY output (:func:`copy_csv`), on SQLite one plain
    cursor's (:func:`sqlite_csv`): byte for byte what :func:`csv_rows` makes cell by cell."""
    yield b"\xef\xbb\xbf" + csv.writer(_Echo()).writerow(HEADERS).encode()
    if connection.vendor == "postgresql":
        yield from copy_csv(qs)
    elif connection.vendor == "sqlite":
        yield from sqlite_csv(qs)
    else:
        yield from csv_rows(qs)


def csv_rows(qs: QuerySet) -> Iterator[bytes]:
    """The CSV rows of ``qs`` (no header), cell by cell in Python."""
    writer = csv.writer(_Echo())
    buf: list[str] = []
    for row in asset_rows(qs):
        buf.append(writer.writerow([csv_safe(c) for c in row]))
        if len(buf) >= 1000:
            yield "".join(buf).encode()
            buf = []
    if buf:
        yield "".join(buf).encode()


# --- PostgreSQL: COPY TO ------------------------------------------------------------------------
# The same cells as asset_rows() + csv_safe(), computed by the database: NULL and "" are written
# as nothing (COPY would write "" as a quoted empty string), booleans as true/false, dates in
# ISO form, amounts as stored (numeric's text: "10.50"), attributes (text or whole numbers,
# register/attributes.py) as their JSON text, and a
# text cell a spreadsheet would run as a formula gets the same leading apostrophe. COPY ends
# a record with LF, the csv module with CRLF: record ends (newlines outside quotes) are turned
# into CRLF, so the file is the one the rows would make.

_KINDS = {"title_complete": "bool", "idle_since": "date", "acquired_on": "date",
          "latitude": "number", "longitude": "number", "area": "number"} | {
          c: "number" for c in MONEY_COLUMNS}  # fmt: skip
#: csv_safe()'s test: a first character of FORMULA_STARTS and not is_plain_number() (whose
#: ``$`` also matches before a final newline, as Python's does).
_PLAIN_NUMBER = r"^[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?\n?$"
#: The first characters' codes: ``ascii(cell) IN (…)`` compares integers, where ``left(cell, 1)
#: IN (…)`` made and compared a text per cell (35 a row; a sixth of the formatting's time).
_STARTS = ", ".join(str(ord(c)) for c in FORMULA_STARTS)


def _safe_text(expr: str) -> str:
    return (f"NULLIF(CASE WHEN ascii({expr}) IN ({_STARTS}) AND {expr} !~ '{_PLAIN_NUMBER}' "
            f"THEN '''' || {expr} ELSE {expr} END, '')")  # fmt: skip


def _cell(column: str, expr: str) -> str:
    kind = _KINDS.get(column, "text")
    if kind == "bool":
        return f"CASE WHEN {expr} THEN 'true' WHEN NOT {expr} THEN 'false' END"
    if kind == "date":
        return f"to_char({expr}, 'YYYY-MM-DD')"
    if kind == "number":
        return f"{expr}::text"
    return _safe_text(f"{expr}::text")


def _inner(qs: QuerySet) -> tuple[str, tuple]:
    """``qs`` as Django compiles it (scope, filters, ordering), selecting _VALUES as c0, c1 …"""
    return qs.values(**{f"c{i}": F(v) for i, v in enumerate(_VALUES)}).query.sql_with_params()


def copy_statement(qs: QuerySet) -> tuple[str, tuple]:
    """``COPY (…) TO STDOUT`` of ``qs``'s assets in HEADERS order, and its parameters: the
    queryset (filters, scope, ordering) as Django compiles it, inside a select that formats
    each cell. Each attribute is taken out of the JSON once, behind ``OFFSET 0`` (which keeps
    PostgreSQL from pulling the expressions up into the formatting, where each would be
    evaluated up to four times)."""
    sql, params = _inner(qs)
    last = len(_VALUES) - 1
    taken = [f"t.c{i}" for i in range(last)] + [
        f"(t.c{last} ->> '{k}') AS a{j}" for j, k in enumerate(ATTRIBUTE_KEYS)
    ]
    cells = [_cell(c, f"s.c{i}") for i, c in enumerate(COLUMNS)]
    cells += [_safe_text(f"s.a{j}") for j in range(len(ATTRIBUTE_KEYS))]
    select = (f"SELECT {', '.join(cells)} FROM (SELECT {', '.join(taken)} "  # noqa: S608 (our columns; values bound)
              f"FROM ({sql}) t OFFSET 0) s")  # fmt: skip
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params


def copy_csv(qs: QuerySet, batch: int = 2000) -> Iterator[bytes]:
    """The CSV rows of ``qs`` (no header) from PostgreSQL's COPY TO, with CRLF record ends.
    COPY hands over whole records, so each piece starts outside any quoted cell."""
    statement, params = copy_statement(qs)
    with transaction.atomic(), connection.cursor() as cursor:
        # Compiling this one wide statement (JIT) cost PostgreSQL 0.6 s of 5 at 200,000 rows
        # and won nothing back; off for this transaction only.
        cursor.execute("SET LOCAL jit = off")
        with cursor.cursor.copy(statement, params) as copy:
            buf: list[bytes] = []
            for data in copy:
                buf.append(bytes(data))
                if len(buf) >= batch:
                    yield _crlf(b"".join(buf))
                    buf = []
            if buf:
                yield _crlf(b"".join(buf))


def _crlf(records: bytes) -> bytes:
    """LF outside quoted cells (a record's end) as CRLF; LF inside one (a cell's) kept."""
    parts = records.split(b'"')
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace(b"\n", b"\r\n")
    return b'"'.join(parts)


# --- SQLite: the same cells from one plain cursor --------------------------------------------
# Amounts are stored as numbers (REAL or INTEGER) and written with the field's decimal places,
# as Django's converter gives them (the same up to 15 significant digits: 10 trillion yuan and
# its cents); booleans are 0/1; dates are ISO text already. Attributes hold text or whole
# numbers (register/attributes.py), which the database writes as Python does.


def _sqlite_safe(expr: str) -> str:
    starts = ", ".join(f"char({ord(c)})" for c in FORMULA_STARTS)
    return (f"CASE WHEN substr({expr}, 1, 1) IN ({starts}) AND NOT ({expr} REGEXP "
            f"'{_PLAIN_NUMBER}') THEN '''' || {expr} ELSE {expr} END")  # fmt: skip


def _sqlite_cell(column: str, expr: str) -> str:
    kind = _KINDS.get(column, "text")
    if kind == "bool":
        return f"CASE {expr} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
    if kind == "number":
        places = Asset._meta.get_field(column).decimal_places
        return f"CASE WHEN {expr} IS NOT NULL THEN printf('%.{places}f', {expr}) END"
    if kind == "date":
        return expr
    return _sqlite_safe(expr)


def _sqlite_attribute(attrs: str, key: str) -> str:
    path = f"'$.\"{key}\"'"
    value = f"json_extract({attrs}, {path})"
    return (f"CASE json_type({attrs}, {path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
            f"WHEN 'text' THEN {_sqlite_safe(value)} ELSE {value} END")  # fmt: skip


def sqlite_csv(qs: QuerySet, batch: int = 5000) -> Iterator[bytes]:
    """The CSV rows of ``qs`` (no header) from one SQLite cursor, cells made by the database."""
    sql, params = _inner(qs)
    attrs = f"t.c{len(_VALUES) - 1}"
    cells = [_sqlite_cell(c, f"t.c{i}") for i, c in enumerate(COLUMNS)]
    cells += [_sqlite_attribute(attrs, k) for k in ATTRIBUTE_KEYS]
    select = f"SELECT {', '.join(cells)} FROM ({sql}) t"  # noqa: S608 (our columns; values bound)
    writer = csv.writer(_Echo())
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        while rows := cursor.fetchmany(batch):
            yield "".join(writer.writerow(r) for r in rows).encode()


def write_csv(qs: QuerySet, out: IO[bytes]) -> int:
    n = -1
    for n, chunk in enumerate(stream_csv(qs)):  # noqa: B007
        out.write(chunk)
    return n


def write_xlsx(qs: QuerySet, out: IO[bytes] | str, rows: Iterable[list[str]] | None = None) -> None:
    """An XLSX workbook written in openpyxl's write-only (streaming) mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("assets")
    ws.append(HEADERS)

    def text(value: str) -> WriteOnlyCell:
        # openpyxl stores any text starting with "=" as a formula: keep it text, so a name
        # like "=HYPERLINK(...)" is neither run by a spreadsheet nor lost on re-import.
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell

    for row in rows if rows is not None else asset_rows(qs):
        ws.append([text(v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    wb.save(out)


def export_response(qs: QuerySet, fmt: str):
    """The assets of ``qs`` as a download in the import's columns: CSV streamed, or XLSX built
    in a temporary file (a large register never sits in memory). The page and the API share it."""
    name = f"assets-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(stream_csv(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(qs, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX_TYPE)


def xlsx_bytes(qs: QuerySet) -> bytes:
    buf = io.BytesIO()
    write_xlsx(qs, buf)
    return buf.getvalue()
