"""XLSX answers for the money reports (CSV goes through ``core.ui.csv_response``)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    filename: str, sheet: str, header: list[str], rows: Iterable[Iterable]
) -> HttpResponse:
    """One sheet, written in openpyxl's streaming mode. Text that a spreadsheet would run as a
    formula stays text; Decimals stay numbers (openpyxl writes them exactly as given)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append(header)

    def cell(value):
        if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
            c = WriteOnlyCell(ws, value)
            c.data_type = "s"
            return c
        return value

    for row in rows:
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
