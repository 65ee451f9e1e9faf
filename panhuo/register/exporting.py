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

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from panhuo.core.lists import XLSX_TYPE
from panhuo.core.ui import is_plain_number
from panhuo.register.importing.fields import ATTRIBUTE_KEYS

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
    """CSV bytes, UTF-8 with a BOM so that Excel shows Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield b"\xef\xbb\xbf" + writer.writerow(HEADERS).encode()
    buf: list[str] = []
    for row in asset_rows(qs):
        buf.append(writer.writerow([csv_safe(c) for c in row]))
        if len(buf) >= 1000:
            yield "".join(buf).encode()
            buf = []
    if buf:
        yield "".join(buf).encode()


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
