"""Importing revenue figures from CSV or XLSX, with the register's readers and value parsers.

Two layouts, told apart by the headers:

- **long**: one figure a row — jurisdiction (code or name), month, category (code, English or
  Chinese name), amount;
- **wide**: jurisdiction, month, then one column per category, headed by its code or name.

Amounts read like the register's: ``1,234.50``, ``12.5万元``, ``3亿``; a header ending in
``(万元)`` / ``（亿元）`` states the unit of its bare numbers, as does the ``amount_unit`` option.
Months read as ``2024-03``, ``2024/3``, ``2024年3月``, ``202403`` or any full date.

Nothing is written on a dry run. On commit every figure is written in one transaction, or none:
by default any rejected figure rejects the file; ``valid_only`` writes the valid ones. Counts
are of figures (in the wide layout a row holds several); each rejection names its row, column
and reason. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from panhuo.core.texts import Msg, message_of
from panhuo.integrity.services import audit_record_many, snapshot
from panhuo.monitor.models import FIRST_MONTH, LAST_MONTH, RevenueCategory, RevenueRecord
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.register.importing.engine import Report
from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.importing.values import parse_amount, parse_date

MAX_FIGURES = 200_000
#: The columns a figure file must have, as a refusal names them.
COLUMN_NAMES = {
    "jurisdiction": Msg("", gettext_noop("jurisdiction")),
    "month": Msg("", gettext_noop("month")),
}
AMOUNT_UNITS = ("yuan", "wan", "yi")

HEADER_WORDS = {
    "jurisdiction": {"jurisdiction", "jurisdiction code", "地区", "行政区划", "区划", "地区代码",
                     "区划代码", "单位", "region"},
    "month": {"month", "月份", "期间", "所属期", "所属月份", "年月", "period"},
    "category": {"category", "category code", "科目", "收入科目", "类别", "科目代码", "项目"},
    "amount": {"amount", "金额", "收入", "本月数", "amount (yuan)", "value"},
}  # fmt: skip
_UNIT_IN_HEADER = re.compile(r"[(（]\s*(元|万元|亿元|yuan|wan|yi)\s*[)）]\s*$", re.IGNORECASE)
_HEADER_UNITS = {"元": "yuan", "万元": "wan", "亿元": "yi"} | {u: u for u in ("yuan", "wan", "yi")}
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月?)$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")


def _split_header(header: str) -> tuple[str, str | None]:
    """``"金额（万元）"`` → (``"金额"``, ``"wan"``); the key is lower-case without the unit."""
    m = _UNIT_IN_HEADER.search(header)
    unit = _HEADER_UNITS[m.group(1).lower()] if m else None
    key = header[: m.start()] if m else header
    return key.strip().lower(), unit


def parse_month(text: str) -> dt.date:
    """The first day of the month a cell names; ValueError saying what is accepted."""
    s = text.strip()
    if not s:
        raise ValueError(Msg("month_empty", gettext_noop("the month is empty")))
    m = _MONTH.match(s) or _COMPACT_MONTH.match(s)
    if m:
        year, month = int(m.group(1)), int(next(g for g in m.groups()[1:] if g))
        if not 1 <= month <= 12:
            raise ValueError(Msg("not_a_month", gettext_noop("“%(text)s” is not a month"), text=s))
        day = dt.date(year, month, 1)
    else:
        try:
            parsed = parse_date(s, order="dmy")
        except ValueError:
            raise ValueError(Msg(
                "not_a_month",
                gettext_noop("“%(text)s” is not a month (use 2024-03, 2024/3, 2024年3月, 202403 "
                             "or a date)"),
                text=s,
            )) from None  # fmt: skip
        assert parsed is not None
        day = parsed.replace(day=1)
    if not FIRST_MONTH <= day <= LAST_MONTH:
        raise ValueError(Msg("month_out_of_range",
                             gettext_noop("“%(text)s” is outside 1990-01 to 2100-12"),
                             text=s))  # fmt: skip
    return day


@dataclass(frozen=True)
class Figure:
    row: int
    column: str
    jurisdiction: Jurisdiction
    month: dt.date
    category: RevenueCategory
    amount: Decimal


class _Lookup:
    """Jurisdictions the actor may enter figures for, and categories, by code or name."""

    def __init__(self, actor: User):
        self.places: dict[str, Jurisdiction | None] = {}
        for j in policy.jurisdictions_for(actor, "revenue", "edit"):
            self.places[j.code.lower()] = j
            key = j.name.strip().lower()
            # Two places with one name: the name is ambiguous, the code is not.
            self.places[key] = None if key in self.places and self.places[key] != j else j
        self.categories: dict[str, RevenueCategory] = {}
        parents = set(
            RevenueCategory.objects.filter(parent__isnull=False).values_list("parent_id", flat=True)
        )
        self.totals: set[int] = parents
        for c in RevenueCategory.objects.all():
            for key in (c.code, c.name, c.name_zh):
                if key:
                    self.categories[key.strip().lower()] = c

    def jurisdiction(self, text: str) -> Jurisdiction:
        s = text.strip()
        if not s:
            raise ValueError(Msg("jurisdiction_empty", gettext_noop("the jurisdiction is empty")))
        key = s.lower()
        if key not in self.places:
            raise ValueError(Msg(
                "unknown_jurisdiction",
                gettext_noop("unknown jurisdiction “%(word)s”, or not one you may enter figures "
                             "for"),
                word=s,
            ))  # fmt: skip
        j = self.places[key]
        if j is None:
            raise ValueError(Msg(
                "ambiguous_jurisdiction",
                gettext_noop("“%(word)s” names several jurisdictions; use the code"),
                word=s,
            ))  # fmt: skip
        return j

    def category(self, text: str) -> RevenueCategory:
        s = text.strip()
        if not s:
            raise ValueError(Msg("category_empty", gettext_noop("the category is empty")))
        c = self.categories.get(s.lower())
        if c is None:
            raise ValueError(
                Msg("unknown_category", gettext_noop("unknown category “%(word)s”"), word=s)
            )
        if c.pk in self.totals:
            raise ValueError(Msg(
                "category_is_total",
                gettext_noop("%(code)s is a total of other categories; give its items"),
                code=c.code,
            ))  # fmt: skip
        return c


def _column_of(headers: list[str], field: str) -> int | None:
    for i, h in enumerate(headers):
        if _split_header(h)[0] in HEADER_WORDS[field]:
            return i
    return None


def read_figures(
    actor: User,
    stream: IO[bytes],
    *,
    filename: str = "",
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    amount_unit: str = "yuan",
) -> tuple[list[Figure], Report]:
    """Every figure of the file that reads, and a report with the rejected ones."""
    if amount_unit not in AMOUNT_UNITS:
        raise FileRejected(Msg(
            "unknown_amount_unit",
            gettext_noop("Unknown amount unit “%(unit)s”; use yuan, wan or yi."),
            unit=amount_unit,
        ))  # fmt: skip
    table = read_table(
        stream, filename=filename, sheet=sheet, encoding=encoding, delimiter=delimiter
    )
    headers = table.headers
    lookup = _Lookup(actor)
    report = Report()
    where = {f: _column_of(headers, f) for f in HEADER_WORDS}
    for needed in ("jurisdiction", "month"):
        if where[needed] is None:
            raise FileRejected(Msg(
                "column_missing",
                gettext_noop("No %(field)s column: the header row needs a column named "
                             "“%(name)s” (or e.g. “%(other)s”)."),
                field=COLUMN_NAMES[needed], name=needed,
                other=sorted(HEADER_WORDS[needed] - {needed})[0],
            ))  # fmt: skip
    # Wide layout: category columns. Long layout: a category and an amount column.
    wide: list[tuple[int, RevenueCategory, str | None]] = []
    if where["category"] is None or where["amount"] is None:
        for i, h in enumerate(headers):
            if i in (where["jurisdiction"], where["month"]):
                continue
            key, unit = _split_header(h)
            try:
                wide.append((i, lookup.category(key), unit))
            except ValueError as exc:
                if key in lookup.categories:  # a total: say so, rather than ignore the column
                    raise FileRejected(Msg(
                        "column_is_total", gettext_noop("Column “%(header)s”: %(reason)s."),
                        header=h, reason=message_of(exc),
                    )) from None  # fmt: skip
                report.ignored_headers.append(h)
        if not wide:
            raise FileRejected(Msg("no_figure_columns", gettext_noop(
                "The header row has neither category and amount columns (one figure a row) "
                "nor columns named after categories (one column a category)."
            )))  # fmt: skip
    amount_col_unit = (
        _split_header(headers[where["amount"]])[1] if where["amount"] is not None else None
    )
    report.columns = {h: h for h in headers if h not in report.ignored_headers}
    figures: list[Figure] = []
    seen: dict[tuple[int, dt.date, int], int] = {}

    def cell(cells: list[str], i: int) -> str:
        return cells[i] if i < len(cells) else ""

    for n, cells in enumerate(table.rows, start=table.first_row):
        if not any((c or "").strip() for c in cells):
            continue
        row_figures = max(1, sum(1 for i, _c, _u in wide if cell(cells, i).strip()))
        try:
            jurisdiction = lookup.jurisdiction(cell(cells, where["jurisdiction"]))
        except ValueError as exc:
            report.add_error(n, headers[where["jurisdiction"]], message_of(exc))
            report.rows += row_figures
            report.rejected += row_figures
            continue
        try:
            month = parse_month(cell(cells, where["month"]))
        except ValueError as exc:
            report.add_error(n, headers[where["month"]], message_of(exc))
            report.rows += row_figures
            report.rejected += row_figures
            continue
        if wide:
            items = [(i, c, u) for i, c, u in wide if cell(cells, i).strip()]
        else:
            try:
                category = lookup.category(cell(cells, where["category"]))
            except ValueError as exc:
                report.rows += 1
                report.rejected += 1
                report.add_error(n, headers[where["category"]], message_of(exc))
                continue
            items = [(where["amount"], category, amount_col_unit)]
        for i, category, unit in items:
            report.rows += 1
            if report.rows > MAX_FIGURES:
                raise FileRejected(Msg(
                    "too_many_figures",
                    gettext_noop("The file holds more than %(max)s figures; split it."),
                    max=f"{MAX_FIGURES:,}",
                ))  # fmt: skip
            text = cell(cells, i)
            try:
                amount = parse_amount(text, unit=unit or amount_unit)
                if amount is None:
                    raise ValueError(Msg("amount_empty", gettext_noop("the amount is empty")))
            except ValueError as exc:
                report.rejected += 1
                report.add_error(n, headers[i], message_of(exc))
                continue
            key = (jurisdiction.pk, month, category.pk)
            if key in seen:
                report.rejected += 1
                report.add_error(n, headers[i], Msg(
                    "duplicate_figure",
                    gettext_noop("%(jurisdiction)s %(month)s %(category)s is also given in row "
                                 "%(row)s"),
                    jurisdiction=jurisdiction.code, month=f"{month:%Y-%m}",
                    category=category.code, row=seen[key],
                ))  # fmt: skip
                continue
            seen[key] = n
            figures.append(Figure(n, headers[i], jurisdiction, month, category, amount))
    return figures, report


def revenue_import(
    *,
    actor: User,
    stream: IO[bytes],
    filename: str = "",
    commit: bool = False,
    valid_only: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    amount_unit: str = "yuan",
) -> Report:
    """Check (and with ``commit`` write) a file of figures; see the module's docstring.

    Raises FileRejected when the file as a whole cannot be read; the rows' problems are in the
    report. ``report.committed`` says whether anything was written.
    """
    if not policy.can_any(actor, "revenue", "edit"):
        raise policy.NotPermitted(gettext("You may not enter revenue figures."))
    figures, report = read_figures(
        actor, stream, filename=filename, sheet=sheet, encoding=encoding,
        delimiter=delimiter, amount_unit=amount_unit,
    )  # fmt: skip
    # A dry run (or a commit that will write nothing) opens no transaction: on SQLite it would
    # take the write lock while it matches the figures.
    writes = commit and (valid_only or not report.rejected)
    with transaction.atomic() if writes else nullcontext():
        existing = _existing(figures, lock=writes)
        new: list[RevenueRecord] = []
        changed: list[tuple[RevenueRecord, dict]] = []
        for f in figures:
            record = existing.get((f.jurisdiction.pk, f.month, f.category.pk))
            if record is None:
                report.new += 1
                new.append(
                    RevenueRecord(
                        jurisdiction=f.jurisdiction,
                        month=f.month,
                        category=f.category,
                        amount=f.amount,
                    )
                )
            elif record.amount == f.amount:
                report.unchanged += 1
            else:
                report.updated += 1
                before = snapshot(record)
                record.amount = f.amount
                changed.append((record, before))
        if not writes:
            return report
        created = RevenueRecord.objects.bulk_create(new, batch_size=2000)
        for record, _before in changed:
            record.save(update_fields=["amount", "updated_at"])
        entries = [
            ("revenue.create", r, None, snapshot(r), r.jurisdiction.path) for r in created
        ] + [
            ("revenue.update", r, before, snapshot(r), r.jurisdiction.path) for r, before in changed
        ]
        audit_record_many(actor=actor, records=entries)
        report.committed = True
    return report


def _existing(
    figures: list[Figure], *, lock: bool
) -> dict[tuple[int, dt.date, int], RevenueRecord]:
    if not figures:
        return {}
    places = {f.jurisdiction.pk for f in figures}
    months = [f.month for f in figures]
    qs = RevenueRecord.objects.filter(
        jurisdiction_id__in=places, month__gte=min(months), month__lte=max(months)
    )
    if lock:
        qs = qs.select_for_update()
    return {(r.jurisdiction_id, r.month, r.category_id): r for r in qs}
