"""Hand-written SQL for hot reads of a few rows (the flags' update after a write), its text
built once per process, vendor and number of ids (as ``core.bulk`` builds its INSERTs), the
rows' columns converted as the ORM converts them.

Over a handful of rows the ORM's statements cost little in the database and more in Python
building them (cloning querysets, resolving lookups and joins, compiling): bench/flags.py,
docs/benchmarks.md. A statement here is a function of placeholder lists (``%s, %s``), called
once per key; only its parameters change afterwards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field

#: Statements by (name, vendor, sizes of the id lists): built once per process.
_SQL: dict[tuple, str] = {}


def marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def statement(name: str, sizes: tuple[int, ...], build: Callable[..., str]) -> str:
    """The SQL of ``name`` for id lists of ``sizes`` (``build(*placeholders)``), made once."""
    key = (name, connection.vendor, sizes)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = build(*(marks(n) for n in sizes))
    return sql


def rows(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def converted(fields: Sequence[Field | None], found: list[tuple]) -> list[tuple]:
    """``found``'s rows, each column read as the ORM reads ``fields``' column (its backend's
    and its field's converters: SQLite's text dates, floats as decimals of the column's
    places); a column whose field is None is left as is."""
    steps: list[tuple[int, list, Any]] = []
    for i, f in enumerate(fields):
        if f is None:
            continue
        col = f.get_col(f.model._meta.db_table)
        found_ = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
        if found_:
            steps.append((i, found_, col))
    if not steps:
        return found
    out = []
    for row in found:
        row = list(row)
        for i, converters, col in steps:
            for convert in converters:
                row[i] = convert(row[i], col, connection)
        out.append(tuple(row))
    return out
