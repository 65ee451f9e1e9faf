"""How much of a file an import (or a mapping's sample) reads before refusing it.

A crafted file small on disk can take a process's memory or time without bound: a zip bomb
(an XLSX whose parts unpack to gigabytes), millions of shared strings, a sheet whose one row
reaches column XFD or row 1,048,576, a cell of megabytes. Every read is bounded by these
limits (settings ``PANHUO["IMPORT_LIMITS"]``, from ``PANHUO_IMPORT_MAX_*`` and
``PANHUO_XLSX_MAX_*``; the README's Configuration lists them), checked while reading, so a file
is refused as soon as it passes one, with a message naming the limit and its setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg


class FileRejected(ValueError):
    """The file as a whole cannot be read; the message says why, for the user: a ``Msg``
    (``core.texts``), so that a run that stores it shows it in each reader's language."""


@dataclass(frozen=True)
class Limits:
    rows: int  # data rows (after the header)
    columns: int  # columns with a value
    cell_chars: int  # characters in one cell
    unpacked_bytes: int  # the whole XLSX archive unpacked (as its directory declares)
    part_bytes: int  # one XLSX part read whole (styles, workbook, relations …)
    ratio: int  # unpacked / packed size of one XLSX part larger than 1 MiB
    shared_strings: int  # entries of the XLSX shared-string table
    shared_chars: int  # characters of all shared strings together

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(**{k.lower(): int(v) for k, v in settings.PANHUO["IMPORT_LIMITS"].items()})

    @property
    def element_bytes(self) -> int:
        """Bytes of XML that may pass without a cell, row or string ending: what the longest
        allowed cell can take (up to 10 bytes a character as ``&#x10FFFF;``) and room."""
        return self.cell_chars * 10 + 256 * 1024


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def refuse(limit: str, **values) -> FileRejected:
    """The refusal for ``limit`` (a key of ``PANHUO["IMPORT_LIMITS"]``; its code), translated
    when shown."""
    values = {k: _mib(v) if k in ("size", "max") and limit.endswith("bytes") else v
              for k, v in values.items()}  # fmt: skip
    messages = {
        "rows": gettext_noop(
            "The file has more than %(max)s data rows, the limit (PANHUO_IMPORT_MAX_ROWS)."
        ),
        "columns": gettext_noop(
            "Row %(row)s has a value in column %(column)s, beyond the limit of %(max)s columns "
            "(PANHUO_IMPORT_MAX_COLUMNS)."
        ),
        "cell_chars": gettext_noop(
            "Row %(row)s has a cell of more than %(max)s characters, the limit "
            "(PANHUO_IMPORT_MAX_CELL_CHARS)."
        ),
        "string_chars": gettext_noop(
            "A shared string of the workbook has more than %(max)s characters, the limit for a "
            "cell (PANHUO_IMPORT_MAX_CELL_CHARS)."
        ),
        "element_bytes": gettext_noop(
            "Part %(part)s of the workbook has more than %(max)s bytes of XML without a cell "
            "ending, more than a cell within the limit of characters needs "
            "(PANHUO_IMPORT_MAX_CELL_CHARS)."
        ),
        "unpacked_bytes": gettext_noop(
            "The workbook unpacks to %(size)s, more than the limit of %(max)s "
            "(PANHUO_XLSX_MAX_UNPACKED_BYTES)."
        ),
        "part_bytes": gettext_noop(
            "Part %(part)s of the workbook unpacks to %(size)s, more than the limit of %(max)s "
            "for a part read whole (PANHUO_XLSX_MAX_PART_BYTES)."
        ),
        "ratio": gettext_noop(
            "Part %(part)s of the workbook unpacks to %(ratio)s times its packed size, more "
            "than the limit of %(max)s (PANHUO_XLSX_MAX_RATIO): the file looks like a zip bomb."
        ),
        "parts": gettext_noop("The workbook has more than %(max)s parts."),
        "shared_strings": gettext_noop(
            "The workbook has more than %(max)s shared strings, the limit "
            "(PANHUO_XLSX_MAX_SHARED_STRINGS)."
        ),
        "shared_chars": gettext_noop(
            "The workbook's shared strings hold more than %(max)s characters, the limit "
            "(PANHUO_XLSX_MAX_SHARED_CHARS)."
        ),
    }
    return FileRejected(Msg(f"limit_{limit}", messages[limit], **values))
