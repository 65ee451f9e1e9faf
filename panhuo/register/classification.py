"""Loading a hierarchical asset classification from a CSV or XLSX file, with its edition.

China's registers use GB/T 14885 (固定资产等资产基础分类与代码, "basic classification and
codes of fixed assets and other assets"); other places have their own lists. Panhuo ships the
top levels of the 2010 edition (data/ beside this file) and loads the full list of whichever
edition the finance bureau uses. The edition is recorded (``ClassificationEdition``) because
the 2010 and 2022 editions number the same things differently: a code means nothing without it.

Two layouts are read:

- the standard's own table, columns 代码 / 名称 / 说明 (code, name, description): the code is
  all digits and its parent is derived from it, level by level: 门类 1 digit, 大类 2, 中类 2,
  小类 2, then one more digit (1, 3, 5, 7 or 8 digits in all). A code may be written padded
  with zeros as the standard prints it (1010000: 门类 1, 大类 01) or cut to its significant
  digits (101): both are the same class, and its parent (1) must be in the file or the list;
- a local list with an explicit parent column (code, name, parent; codes of any form).

Every row is checked before anything is written (bad code, missing name, parent missing,
duplicate), all errors are reported by row, and then the whole file is written in one
transaction with its audit entries, or, in a dry run, nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import actor_label, audit_record, audit_record_many, snapshot
from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.models import ClassificationCode, ClassificationEdition

SHIPPED = Path(__file__).parent / "data" / "classification_gbt14885_top.csv"
#: The edition of the shipped top levels: their codes and names are those of GB/T 14885-2010.
SHIPPED_EDITION = "GB/T 14885-2010"

#: Where each level of a GB/T 14885 code ends: 门类 1 digit, 大类 2, 中类 2, 小类 2, one more.
BOUNDS = (1, 3, 5, 7, 8)
LEVEL_NAMES = {1: "门类", 2: "大类", 3: "中类", 4: "小类", 5: "细类"}

#: Header names per column, lower case (the standard's Chinese and English).
HEADER_NAMES = {
    "code": ("代码", "code", "分类代码", "编码", "资产分类代码"),
    "name": ("名称", "name", "分类名称", "资产分类名称"),
    "description": ("说明", "description", "备注", "note"),
    "parent": ("上级代码", "parent", "parent code", "父级代码"),
}
NAME_MAX, CODE_MAX, EDITION_MAX = 200, 32, 100
#: Row errors reported at most (the rest are counted).
MAX_ERRORS = 200


def code_key(code: str) -> str:
    """The significant digits of a GB/T 14885 code (1010000 → 101), or ValueError saying
    what is wrong with it."""
    if not (code.isascii() and code.isdigit()):
        raise ValueError(_("a code has digits only"))
    if len(code) not in BOUNDS:
        raise ValueError(_("a code has 1, 3, 5, 7 or 8 digits, not %(n)d") % {"n": len(code)})
    if code[0] == "0":
        raise ValueError(_("the first digit (门类) cannot be 0"))
    starts = (0, *BOUNDS)
    parts = [code[a:b] for a, b in zip(starts, BOUNDS, strict=False) if a < len(code)]
    while len(parts) > 1 and not parts[-1].strip("0"):
        parts.pop()
    for i, part in enumerate(parts[1:], start=2):
        if not part.strip("0"):
            raise ValueError(
                _("its %(level)s digits are zero but a lower level's are not")
                % {"level": LEVEL_NAMES[i]}
            )
    return "".join(parts)


def key_level(key: str) -> int:
    return BOUNDS.index(len(key)) + 1


def parent_key(key: str) -> str:
    """The significant digits of the parent class ("" for a 门类)."""
    shorter = [b for b in BOUNDS if b < len(key)]
    return key[: shorter[-1]] if shorter else ""


@dataclass
class _Row:
    n: int
    code: str
    name: str
    description: str
    parent: str = ""
    key: str = ""


@dataclass
class LoadReport:
    """What a load did (or, in a dry run, would do)."""

    edition: str
    layout: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        text = _(
            "%(edition)s: %(rows)d rows, %(created)d codes created, %(updated)d updated, "
            "%(unchanged)d unchanged."
        ) % {
            "edition": self.edition,
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
        }
        return text + (" " + _("Dry run: nothing was written.") if self.dry_run else "")


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}
        self.count = 0

    def add(self, n: int, fieldname: str, message: str) -> None:
        self.count += 1
        if self.count <= MAX_ERRORS:
            row = _("Row %(n)d") % {"n": n}
            self.by_field.setdefault(fieldname, []).append(f"{row}: {message}")

    def raise_if_any(self) -> None:
        if self.count > MAX_ERRORS:
            more = _("… and %(n)d more errors.") % {"n": self.count - MAX_ERRORS}
            self.by_field.setdefault("file", []).append(more)
        if self.by_field:
            raise ValidationError(self.by_field)


def _columns(headers: list[str]) -> dict[str, int]:
    lowered = [h.strip().lstrip("\ufeff").lower() for h in headers]
    found = {}
    for column, names in HEADER_NAMES.items():
        for i, header in enumerate(lowered):
            if header in names:
                found[column] = i
                break
    for needed in ("code", "name"):
        if needed not in found:
            raise FileRejected(
                _("The classification file needs a “%(column)s” column (代码 / 名称 / 说明).")
                % {"column": HEADER_NAMES[needed][0] + " / " + needed}
            )
    return found


def _read_rows(table, cols: dict[str, int], errors: _Errors) -> list[_Row]:
    def cell(cells: list[str], column: str) -> str:
        i = cols.get(column)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    rows: list[_Row] = []
    for n, cells in enumerate(table.rows, start=table.first_row):
        if not any(str(c).strip() for c in cells):
            continue
        row = _Row(n, cell(cells, "code"), cell(cells, "name"), cell(cells, "description"))
        row.parent = cell(cells, "parent")
        if not row.code:
            errors.add(n, "code", _("the code is missing."))
            continue
        if len(row.code) > CODE_MAX:
            errors.add(n, "code", _("code %(code)s is too long.") % {"code": row.code[:40]})
            continue
        if not row.name:
            errors.add(n, "name", _("code %(code)s has no name.") % {"code": row.code})
        elif len(row.name) > NAME_MAX:
            errors.add(
                n, "name", _("the name is longer than %(max)d characters.") % {"max": NAME_MAX}
            )
        rows.append(row)
    return rows


def _duplicates(rows: list[_Row], attr: str, errors: _Errors) -> None:
    seen: dict[str, _Row] = {}
    for row in rows:
        value = getattr(row, attr)
        if not value:
            continue
        first = seen.setdefault(value, row)
        if first is not row:
            errors.add(
                row.n,
                "code",
                _("code %(code)s duplicates row %(first)d (%(other)s).")
                % {"code": row.code, "first": first.n, "other": first.code},
            )


def _standard_parents(
    rows: list[_Row], existing: dict[str, ClassificationCode], errors: _Errors
) -> dict[str, tuple[str, int]]:
    """Parent code and level of each row of the standard's layout, the parent found by its
    significant digits among the file's rows and the codes already in the list."""
    for row in rows:
        try:
            row.key = code_key(row.code)
        except ValueError as exc:
            errors.add(
                row.n, "code", _("bad code %(code)s: %(why)s.") % {"code": row.code, "why": exc}
            )
    _duplicates(rows, "key", errors)
    by_key = {}
    for code in existing.values():
        try:
            by_key[code_key(code.code)] = code.code
        except ValueError:
            continue
    for row in rows:
        if row.key and by_key.get(row.key, row.code) != row.code:
            errors.add(
                row.n,
                "code",
                _("code %(code)s is class %(other)s already in the list; write it as %(other)s.")
                % {"code": row.code, "other": by_key[row.key]},
            )
    by_key.update({row.key: row.code for row in rows if row.key})
    out = {}
    for row in rows:
        if not row.key:
            continue
        pkey = parent_key(row.key)
        if pkey and pkey not in by_key:
            errors.add(
                row.n,
                "parent",
                _(
                    "the parent of %(code)s (%(level)s %(parent)s) is neither in the file "
                    "nor in the list."
                )
                % {"code": row.code, "level": LEVEL_NAMES[key_level(pkey)], "parent": pkey},
            )
            continue
        out[row.code] = (by_key.get(pkey, ""), key_level(row.key))
    return out


def _explicit_parents(
    rows: list[_Row], existing: dict[str, ClassificationCode], errors: _Errors
) -> dict[str, tuple[str, int]]:
    """Parent code and level of each row of a list with a parent column."""
    code_of = {obj.pk: code for code, obj in existing.items()}
    parent_of = {code: code_of.get(obj.parent_id, "") for code, obj in existing.items()}
    for row in rows:
        if row.parent and row.parent not in parent_of and row.parent not in {r.code for r in rows}:
            errors.add(
                row.n, "parent", _("unknown parent code %(parent)s.") % {"parent": row.parent}
            )
        parent_of[row.code] = row.parent
    out = {}
    for row in rows:
        level, node, seen = 1, parent_of[row.code], {row.code}
        while node:
            if node in seen:
                errors.add(
                    row.n, "parent", _("code %(code)s is its own ancestor.") % {"code": row.code}
                )
                break
            seen.add(node)
            level, node = level + 1, parent_of.get(node, "")
        out[row.code] = (parent_of[row.code], level)
    return out


def load_classification(
    stream: IO[bytes],
    *,
    edition: str,
    actor: Any,
    filename: str = "",
    dry_run: bool = False,
) -> LoadReport:
    """Create or update the codes of a file as ``edition`` (e.g. "GB/T 14885-2022"), all or
    nothing, audited; ``dry_run`` checks everything and writes nothing. Raises
    ``ValidationError`` with every row error (by field), or ``FileRejected`` for the file."""
    edition = " ".join(edition.split())
    if not edition or len(edition) > EDITION_MAX:
        raise ValidationError(
            {"edition": [_("Name the edition of the list, e.g. GB/T 14885-2022.")]}
        )
    table = read_table(stream, filename=filename)
    cols = _columns(table.headers)
    layout = "parent" if "parent" in cols else "gbt14885"
    errors = _Errors()
    rows = _read_rows(table, cols, errors)
    _duplicates(rows, "code", errors)
    report = LoadReport(edition=edition, layout=layout, rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        existing = {c.code: c for c in ClassificationCode.objects.select_for_update()}
        placed = (_standard_parents if layout == "gbt14885" else _explicit_parents)(
            rows, existing, errors
        )
        errors.raise_if_any()
        _write(rows, placed, existing, edition, actor, filename, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(rows, placed, existing, edition_name, actor, filename, report) -> None:
    edition, made = ClassificationEdition.objects.get_or_create(
        name=edition_name, defaults={"loaded_at": timezone.now()}
    )
    before_edition = None if made else snapshot(edition)
    edition.source, edition.loaded_at = Path(filename).name[:255], timezone.now()
    edition.loaded_by = actor_label(actor)[:150]
    edition.save()
    befores: dict[str, dict | None] = {}
    for row in rows:
        obj = existing.get(row.code)
        befores[row.code] = snapshot(obj) if obj else None
        if obj is None:
            obj = existing[row.code] = ClassificationCode(code=row.code)
        obj.name, obj.description, obj.edition = row.name, row.description, edition
        obj.level = placed[row.code][1]
        obj.save()
    records = []
    for row in rows:
        obj = existing[row.code]
        parent = existing.get(placed[row.code][0])
        if obj.parent_id != (parent.pk if parent else None):
            obj.parent = parent
            obj.save(update_fields=["parent"])
        after, before = snapshot(obj), befores[row.code]
        if before is None:
            report.created.append(row.code)
            records.append(("classification.create", obj, None, after, ""))
        elif before != after:
            report.updated.append(row.code)
            records.append(("classification.update", obj, before, after, ""))
        else:
            report.unchanged += 1
    if report.dry_run:
        return
    audit_record(
        actor=actor,
        action="classification.load",
        obj=edition,
        before=before_edition,
        after={
            **snapshot(edition),
            "rows": report.rows,
            "created": len(report.created),
            "updated": len(report.updated),
        },
    )
    audit_record_many(actor=actor, records=records)
