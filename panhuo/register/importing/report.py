"""What an import reports and how it is told to read a file: the column mapping, each rejected
row's error, and the counts; shared by every import target (assets, debts, revenue)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext

from panhuo.core.texts import Msg, render

MAX_REPORTED_ERRORS = 1000


class ImportCancelled(Exception):
    """The user cancelled; everything done so far is rolled back."""


@dataclass
class RowError:
    row: int
    column: str
    #: The message as text in the language active when it was found (the command line's).
    message: str
    #: The message itself (``core.texts.Msg``), kept so that it is stored untranslated and
    #: shown in each reader's language; None for text as it came (a library's words).
    msg: Msg | None = None

    def as_dict(self) -> dict[str, Any]:
        """The error as stored with the run: the message's code, msgid and values (read in the
        reader's language by ``shown_error``) and its English text (for older readers)."""
        if self.msg is not None:
            return {"row": self.row, "column": self.column, "message": self.msg.english(),
                    "code": self.msg.code, "msg": self.msg.as_json()}  # fmt: skip
        return {"row": self.row, "column": self.column, "message": self.message}

    @property
    def said(self) -> Msg | str:
        """The message as given to ``Report.add_error`` (to pass it on unchanged)."""
        return self.msg if self.msg is not None else self.message

    def shown(self) -> dict[str, Any]:
        """The error as a reader sees it, in the active language."""
        return shown_error(self.as_dict())


def shown_error(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored row error (``RowError.as_dict``) as a reader sees it: row, column, its code and
    its message in the active language. Errors stored before messages were kept as msgids have
    only their English text, shown as it is."""
    msg = stored.get("msg")
    return {
        "row": stored.get("row"),
        "column": stored.get("column", ""),
        "code": stored.get("code", ""),
        "message": render(msg) if msg else stored.get("message", ""),
    }


@dataclass
class Mapping:
    """How to read one source's files: header → field, source word → Panhuo value, options,
    and constants: field → the text every row holds for a field the file has no column of
    (e.g. ``{"unit": "U1"}`` for a file of one unit's assets)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Mapping:
        data = data or {}
        return cls(
            columns=dict(data.get("columns") or {}),
            values={k: dict(v) for k, v in (data.get("values") or {}).items()},
            options=dict(data.get("options") or {}),
            constants={str(k): str(v) for k, v in (data.get("constants") or {}).items()},
        )

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "values": self.values, "options": self.options,
                "constants": self.constants}  # fmt: skip


@dataclass
class Report:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    committed: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    ignored_headers: list[str] = field(default_factory=list)
    #: Every row with an error (not only the reported ones): these rows are never written.
    bad_rows: set[int] = field(default_factory=set, repr=False)
    #: Rows imported but worth a second look (a figure far from the place's other years, a
    #: limit below its balance): flagged, never rejected. The first MAX_REPORTED_ERRORS kept.
    flags: list[RowError] = field(default_factory=list)
    #: What a commit made that is shown once and never stored with the report (the one-time
    #: passwords of imported users, by username).
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def add_error(self, row: int, column: str, message: Msg | str) -> None:
        self.error_count += 1
        self.bad_rows.add(row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            if isinstance(message, Msg):
                self.errors.append(RowError(row, column, str(message), message))
            else:
                self.errors.append(RowError(row, column, str(message)))

    def add_flag(self, row: int, column: str, message: Msg) -> None:
        if len(self.flags) < MAX_REPORTED_ERRORS:
            self.flags.append(RowError(row, column, str(message), message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "error_count": self.error_count, "committed": self.committed,
            "errors": [e.as_dict() for e in self.errors], "columns": self.columns,
            "ignored_headers": self.ignored_headers,
            **({"flags": [f.as_dict() for f in self.flags]} if self.flags else {}),
        }  # fmt: skip


def report_to_command(command: BaseCommand, report: Report, *, commit: bool, noun: str) -> None:
    """What an import command prints of its report (``noun``: "rows", "figures"), one error a
    line; a commit that wrote nothing is an error, and a dry run with rejected rows exits 1, so
    scripts can tell."""
    out = command.stdout
    counts = {"rows": report.rows, "new": report.new, "updated": report.updated,
              "unchanged": report.unchanged, "rejected": report.rejected}  # fmt: skip
    if noun == "figures":
        out.write(gettext("figures %(rows)s: new %(new)s, updated %(updated)s, unchanged "
                          "%(unchanged)s, rejected %(rejected)s") % counts)  # fmt: skip
    else:
        out.write(gettext("rows %(rows)s: new %(new)s, updated %(updated)s, unchanged "
                          "%(unchanged)s, rejected %(rejected)s") % counts)  # fmt: skip
    # Which header went to which field, and which were left out: a misspelt header is seen
    # in the dry run, not discovered as an empty field after the commit.
    for header, name in report.columns.items():
        out.write(gettext("  column “%(header)s” → %(field)s") % {"header": header, "field": name})
    if report.ignored_headers:
        out.write(
            gettext("  not imported (no field of that name): %(headers)s")
            % {"headers": ", ".join(report.ignored_headers)}
        )
    for e in report.errors:
        out.write(gettext("  row %(row)s, column %(column)s: %(message)s")
                  % {"row": e.row, "column": e.column, "message": e.message})  # fmt: skip
    for f in report.flags:
        out.write(gettext("  row %(row)s, column %(column)s, flagged (imported): %(message)s")
                  % {"row": f.row, "column": f.column, "message": f.message})  # fmt: skip
    more = report.error_count - len(report.errors)
    if more > 0:
        out.write(ngettext("  … and %(n)s more error", "  … and %(n)s more errors", more)
                  % {"n": more})  # fmt: skip
    if report.committed:
        out.write(command.style.SUCCESS(gettext("Committed.")))
    elif commit:
        raise CommandError(gettext("Nothing was written: rows were rejected (see above); fix "
                                   "them or pass --valid-only."))  # fmt: skip
    else:
        out.write(gettext("Dry run: nothing was written. Add --commit to write."))
    if report.rejected and not commit:
        sys.exit(1)
