"""A report's data as a PDF laid out as an official document (GB/T 9704-2012, 党政机关公文格式):
the issuing body's mark in red over the document number and a red rule; the title centred;
the tables; the issuing body and the date at the foot with the seal's place; page numbers as
"— 1 —". A4 with the standard's margins (top 37 mm, left 28 mm, right 26 mm, bottom 35 mm).

Chinese text is set in WenQuanYi Zen Hei from Debian's ``fonts-wqy-zenhei`` (TrueType, embedded
as a subset by reportlab); the font is never fetched: without the package the report is
refused with the command that installs it. The output is deterministic: reportlab's invariant
mode and the report's own date as the creation date, so the same figures give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from panhuo.core.errors import ValidationError
from panhuo.reports.capitals import to_capitals, wan
from panhuo.reports.content import COUNT, MONEY, PCT, Content

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT = "WenQuanYiZenHei"
RED = colors.HexColor("#C00000")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        if not FONT_FILE.exists():
            raise ValidationError(
                {
                    "format": [
                        _(
                            "The Chinese font for PDF reports is missing (%(path)s): install "
                            "it with “apt-get install fonts-wqy-zenhei” (./dev install does)."
                        )
                        % {"path": FONT_FILE}
                    ]
                }
            )
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15)
    return {
        "mark": ParagraphStyle(
            "mark", base, fontSize=24, leading=32, textColor=RED, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("number", base, fontSize=14, leading=20, alignment=TA_CENTER),
        "title": ParagraphStyle("title", base, fontSize=20, leading=30, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", base, fontSize=13, leading=20, spaceBefore=8),
        "body": base,
        "empty": ParagraphStyle("empty", base, fontSize=14, leading=20, textColor=RED),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=12),
        "right": ParagraphStyle("right", base, fontSize=13, leading=20, alignment=TA_RIGHT),
    }


def _shown(text: str, kind: str) -> str:
    if text == "":
        return ""
    if kind == MONEY:
        return f"{wan(Decimal(text)):,.2f}"
    if kind == PCT:
        return f"{text}%"
    return text


def _table(section, styles) -> Flowable:
    heads = [
        f"{c}（{_('10,000 yuan')}）" if k == MONEY else c
        for c, k in zip(section.columns, section.kinds, strict=True)
    ]
    data = [[Paragraph(h, styles["cell"]) for h in heads]]
    for row in section.rows:
        data.append([_shown(t, k) for t, k in zip(row, section.kinds, strict=True)])
    style = [
        ("FONT", (0, 0), (-1, -1), styles["cell"].fontName, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, kind in enumerate(section.kinds):
        if kind in (MONEY, COUNT, PCT):
            style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    return _Rows(data[0], data[1:], TableStyle(style))


#: No row of a report's table is lower than this (points): a page holds fewer rows than its
#: height over this, so a table of that many rows always holds a page's worth.
_MIN_ROW = 10


class _Page(Table):
    """One page of a report's table. Its cells of one line of plain text (every cell but the
    header's) are set in one text object for the page, where reportlab's ``_drawCell`` makes,
    fills and closes a text object per cell (a province's 2,000 unit lines: 12,000 cells): the
    same strings at the same places, in the cell's font and colour."""

    _text = None

    def _flush(self) -> None:
        if self._text is not None:
            self.canv.drawText(self._text)
            self._text = None

    def _drawCell(self, cellval, cellstyle, pos, size):
        s = cellstyle
        if not isinstance(cellval, str) or "\n" in cellval or s.href or s.destination:
            self._flush()
            return super()._drawCell(cellval, cellstyle, pos, size)
        if cellval == "":
            return None
        (colpos, rowpos), (colwidth, rowheight) = pos, size
        # Where reportlab's _drawCell puts one line (its drawString, drawCentredString and
        # drawRightString place the text's start at x less all or half of its width).
        if s.valign == "BOTTOM":
            y = rowpos + s.bottomPadding + s.leading - s.fontsize
        elif s.valign == "TOP":
            y = rowpos + rowheight - s.topPadding - s.fontsize
        else:
            y = rowpos + (s.bottomPadding + rowheight - s.topPadding + s.leading) / 2.0 - s.fontsize
        if s.alignment == "LEFT":
            x = colpos + s.leftPadding
        else:
            width = self.canv.stringWidth(cellval, s.fontname, s.fontsize)
            if s.alignment == "RIGHT":
                x = colpos + colwidth - s.rightPadding - width
            else:  # centred
                x = colpos + (colwidth + s.leftPadding - s.rightPadding) * 0.5 - 0.5 * width
        key = (s.fontname, s.fontsize, s.leading, s.color)
        if self._text is None or key != self._key:
            self._flush()
            self.canv.setFillColor(s.color)
            self._curcellstyle = None  # (the canvas's colour set here, not by _drawCell)
            self._text = self.canv.beginText(x, y)
            self._text.setFont(s.fontname, s.fontsize, s.leading)
            self._key = key
        else:  # each cell its own BT … ET as before (read back the same), the font kept
            self._text._code.append("ET BT")
            self._text.setTextOrigin(x, y)
        self._text.textLine(cellval)  # as drawString does: its line ended (T*)
        return None

    def _drawLines(self):
        self._flush()  # the cells' text before the rules, as reportlab draws them
        super()._drawLines()


def _height(row, styles) -> float:
    """A row of plain strings' height as reportlab's ``Table._calc_height`` gives it."""
    h = 0.0
    for v, s in zip(row, styles, strict=True):
        assert isinstance(v, str), "a report's table cell is text"
        t = (s.leading or 1.2 * s.fontsize) * len(v.split("\n")) + s.bottomPadding + s.topPadding
        h = max(h, t)
    return h


class _Rows(Flowable):
    """A table with its header repeated on every page, laid out a page at a time: reportlab's
    own split of a long table measures every remaining row again at each page (a province's
    2,000 unit lines: quadratic). The whole table's column widths and every row's height are
    measured once (as reportlab measures them); each page is then a ``_Page`` of the header
    and the rows that fit below it (the count reportlab's split finds from those heights),
    given those widths and heights, so nothing is measured again and nothing split; the
    pages are those of one ``Table`` split by reportlab."""

    def __init__(self, header, rows, style, widths=None, heights=None):
        super().__init__()
        self.header, self.rows, self.style = header, rows, style
        self.widths, self.heights = widths, heights
        self.hAlign = "LEFT"
        self._whole: Table | None = None

    def _of(self, n: int) -> Table:
        """The page of the header and the first ``n`` rows."""
        table = _Page([self.header, *self.rows[:n]], colWidths=self.widths,
                      rowHeights=self.heights[: n + 1], repeatRows=1, hAlign="LEFT")  # fmt: skip
        table.setStyle(self.style)
        return table

    def _measure(self, width: float, height: float) -> None:
        if self.widths is None:  # the whole table's column widths, once
            # (the rows' heights given: they do not change the widths, and measuring them
            # is what is quadratic in reportlab, ``_calc_height``'s ``H.index(None)``)
            heights = [None] + [1] * len(self.rows)
            whole = Table([self.header, *self.rows], rowHeights=heights, repeatRows=1)
            whole.setStyle(self.style)
            whole.wrap(width, height)
            self.widths = list(whole._colWidths)
            head = Table([self.header], colWidths=self.widths)
            head.setStyle(self.style)
            head.wrap(width, height)
            self.heights = [head._rowHeights[0]] + [
                _height(row, styles)
                for row, styles in zip(whole._cellvalues[1:], whole._cellStyles[1:], strict=True)
            ]

    def wrap(self, availWidth, availHeight):
        self._measure(availWidth, availHeight)
        if len(self.rows) <= availHeight // _MIN_ROW:
            self._whole = self._of(len(self.rows))
            return self._whole.wrap(availWidth, availHeight)
        self._whole = None
        return sum(self.widths), availHeight + 1  # more than fits: split

    def split(self, availWidth, availHeight):
        self._measure(availWidth, availHeight)
        # As reportlab's Table._getFirstPossibleSplitRowPosition: the rows (the header one of
        # them) whose heights add up to no more than the height there is.
        fits, used = 0, 0.0
        for h in self.heights:
            if used + h > availHeight:
                break
            fits, used = fits + 1, used + h
        if fits <= 1:  # not even the header and one row: the next frame
            return []
        shown = fits - 1
        if shown >= len(self.rows):
            return [self._of(len(self.rows))]
        rest = _Rows(self.header, self.rows[shown:], self.style, self.widths,
                     [self.heights[0], *self.heights[fits:]])  # fmt: skip
        return [self._of(shown), rest]

    def drawOn(self, canvas, x, y, _sW=0):
        assert self._whole is not None, "drawn without fitting"
        self._whole.drawOn(canvas, x, y, _sW)


def _chinese_date(day: dt.date) -> str:
    return _("%(y)s-%(m)s-%(d)s") % {"y": day.year, "m": day.month, "d": day.day}


def render_pdf(content: Content, number: str) -> bytes:
    font = _font()
    styles = _styles(font)
    day = dt.date.fromisoformat(content.as_of)
    stamp = f"D:{day:%Y%m%d}000000+08'00'"
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, topMargin=37 * mm, bottomMargin=35 * mm, leftMargin=28 * mm,
        rightMargin=26 * mm, title=content.title, author=content.issuer,
        creator="Panhuo", subject=number, invariant=1,
    )  # fmt: skip

    def page(canvas, document) -> None:
        canvas.setDateFormatter(lambda *_a: stamp)
        canvas.saveState()
        canvas.setFont(font, 14)
        canvas.drawCentredString(A4[0] / 2, 20 * mm, f"— {document.page} —")
        canvas.restoreState()

    story: list = [
        Paragraph(content.issuer, styles["mark"]),
        Spacer(1, 4 * mm),
        Paragraph(number, styles["number"]),
        _rule(),
        Spacer(1, 6 * mm),
        Paragraph(content.title, styles["title"]),
        Spacer(1, 4 * mm),
        Paragraph(_("As of %(date)s") % {"date": _chinese_date(day)}, styles["body"]),
    ]
    if content.empty:
        story.append(Paragraph(_("EMPTY REPORT: no records up to this date."), styles["empty"]))
    for note in content.notes:
        story.append(Paragraph(note, styles["body"]))
    for section in content.sections:
        story += [Paragraph(section.heading, styles["heading"]), _table(section, styles)]
    if content.total is not None:
        total = Decimal(content.total)
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(
            _("%(label)s: %(wan)s (10,000 yuan); in capitals: %(capitals)s")
            % {"label": content.total_label, "wan": f"{wan(total):,.2f}",
               "capitals": to_capitals(total)},
            styles["body"],
        ))  # fmt: skip
    # The signature block kept on one page: issuer, date, and the seal's place over them.
    signature = [
        Spacer(1, 16 * mm),
        Paragraph(content.issuer, styles["right"]),
        Paragraph(_chinese_date(day), styles["right"]),
        _Seal(),
    ]
    story.append(KeepTogether(signature))
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buf.getvalue()


def _rule() -> Table:
    """The red rule under the document number (版头中的分隔线)."""
    line = Table([[""]], colWidths=[156 * mm], rowHeights=[2 * mm])
    line.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 1.5, RED)]))
    return line


class _Seal(Spacer):
    """The seal's place (印章): a dashed red circle over the issuer and the date, for the
    stamp (drawn upwards from where it stands, after them)."""

    def __init__(self):
        super().__init__(1, 0)

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(RED)
        c.setDash(3, 2)
        c.circle(125 * mm, 12 * mm, 18 * mm, stroke=1, fill=0)
        c.setFillColor(RED)
        c.setFont(FONT, 10)
        c.drawCentredString(125 * mm, 11 * mm, _("(seal)"))
        c.restoreState()
