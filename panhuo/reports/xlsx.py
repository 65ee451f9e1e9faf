"""A report's data as an XLSX workbook: the document's heading lines (issuing body, number,
title, date), then each section's table. Money is written in 万元 as exact numbers (yuan ÷
10,000, shown to two decimals), so a reader's sums match the report's and ``read_money`` gets
every yuan back; text a spreadsheet would run as a formula is stored as text (as the lists'
exports do). The workbook's properties carry the report's date, not the time it was written.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from panhuo.core.lists import FORMULA_STARTS
from panhuo.reports.capitals import WAN, to_capitals
from panhuo.reports.content import COUNT, MONEY, Content

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=16)


def _header(label: str, kind: str) -> str:
    return f"{label} ({_('10,000 yuan')})" if kind == MONEY else label


def _value(text: str, kind: str):
    if text == "":
        return None
    if kind == MONEY:
        return Decimal(text) / WAN
    if kind == COUNT:
        return int(text)
    return text


def render_xlsx(content: Content, number: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Report")[:31]
    day = dt.datetime.fromisoformat(content.as_of)
    wb.properties.created = wb.properties.modified = day
    wb.properties.creator = content.issuer[:255]
    wb.properties.title = content.title[:255]
    ws.append([content.issuer])
    ws.append([number])
    ws.append([content.title])
    ws["A3"].font = TITLE
    ws.append([_("As of %(date)s") % {"date": content.as_of}])
    if content.empty:
        ws.append([_("EMPTY REPORT: no records up to this date.")])
    for note in content.notes:
        ws.append([note])
    for section in content.sections:
        ws.append([])
        ws.append([section.heading])
        ws.cell(ws.max_row, 1).font = BOLD
        ws.append([_header(c, k) for c, k in zip(section.columns, section.kinds, strict=True)])
        for row in section.rows:
            ws.append([_value(t, k) for t, k in zip(row, section.kinds, strict=True)])
            for cell, kind in zip(ws[ws.max_row], section.kinds, strict=False):
                if kind == MONEY:
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
    if content.total is not None:
        ws.append([])
        ws.append([content.total_label, to_capitals(Decimal(content.total))])
    ws.column_dimensions["A"].width = 36
    for col in "BCDEFG":
        ws.column_dimensions[col].width = 18
    ws["A3"].alignment = Alignment(wrap_text=False)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_money(data: bytes) -> list[Decimal]:
    """Every money figure of a generated workbook, in yuan, in order (for the tests and the
    regeneration check): the cells in 万元 formats times 10,000, to the fen."""
    ws = load_workbook(io.BytesIO(data)).active
    out = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.number_format == "#,##0.00" and cell.value is not None:
                yuan = Decimal(str(cell.value)) * WAN
                out.append(yuan.quantize(Decimal("0.01")))
    return out
