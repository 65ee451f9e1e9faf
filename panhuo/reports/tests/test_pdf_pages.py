"""A report's long table in the PDF: laid out a page at a time (``reports.pdf._Rows``), with its
cells' text set in one text object per page (``_Page``), it reads page by page as reportlab's
own ``Table`` split over the pages would: the same rows on each page, the header repeated,
every row once and in order."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.platypus import Table

from panhuo.reports import pdf
from panhuo.reports.content import COUNT, PCT, TEXT, Content, Section


def _content(rows: int) -> Content:
    section = Section("各单位资产盘活", ["单位", "方式", "目标", "完成", "完成率"],
                      [TEXT, TEXT, COUNT, COUNT, PCT])  # fmt: skip
    for i in range(rows):
        section.add(
            f"单位 U{i:04d}", "公开拍卖" if i % 3 else "出租", 10 + i, i % 7, f"{i % 100}.0"
        )
    return Content(kind="monthly", title="月度进展报告", period="2026-05", as_of="2026-05-31",
                   issuer="某区盘活办", sections=[section])  # fmt: skip


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _reportlab_table(header, rows, style):
    table = Table([header, *rows], repeatRows=1, hAlign="LEFT")
    table.setStyle(style)
    return table


def test_a_long_table_reads_page_by_page_as_reportlabs_own_split(monkeypatch):
    content = _content(150)
    ours = _pages(pdf.render_pdf(content, "盘活办〔2026〕1号"))
    with monkeypatch.context() as m:
        m.setattr(pdf, "_Rows", _reportlab_table)
        theirs = _pages(pdf.render_pdf(content, "盘活办〔2026〕1号"))
    assert len(ours) >= 3 and ours == theirs
    # Every row once, in order, and each page the table runs on opens with its header.
    text = "".join(ours)
    at = [text.index(f"单位 U{i:04d}") for i in range(150)]
    assert at == sorted(at) and all(text.count(f"U{i:04d}") == 1 for i in range(150))
    assert all("完成率" in page for page in ours[:-1]) and "月度进展报告" in ours[0]
