"""A list API's page answered as JSON the database builds: count and rows in one statement.

A computed list answer used to cost more in Python than in the database: each of the page's
rows read into Python values (Django's converters), shaped into the answer's dicts and encoded
again, field by field. Here the database writes each row's JSON object itself (PostgreSQL's
``json_build_object`` and ``json_agg``, SQLite's ``json_object`` and ``json_group_array``), in
the same statement as the count, and Python only frames the answer: one statement, no value
through Python.

Each field says how its value is written, as the answer's schema writes it (ninja's encoder):

- ``plain``: integers, text and choices as they are;
- ``bool``: ``true``/``false`` (SQLite stores 0/1);
- ``date``: ``"YYYY-MM-DD"``;
- ``datetime``: ISO 8601 in UTC with milliseconds when there is a fraction, ``Z`` for UTC
  (Django's JSON encoder: ``2026-12-07T10:00:00.123Z``, ``2026-12-07T10:00:00Z``);
- ``decimal``: text with the column's decimal places (``MoneyOut``, ``DecimalOut``: "12.50");
  on SQLite, which stores them as numbers, the same up to 15 significant digits, as Django's
  converter reads them;
- ``json``: the stored JSON, embedded.

The rows come from the caller's queryset (scope, filters and ordering as Django compiles
them); the answer's bytes differ from ``json.dumps``'s (no blanks, text not escaped to ASCII),
its fields do not: a test compares them with the schema's answer, field for field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet

from panhuo.core.querying import MAX_ID


@dataclass(frozen=True)
class Field:
    """One field of a row's JSON: its name in the answer, the ORM lookup or expression it is
    read from, and how it is written (see the module's docstring)."""

    name: str
    source: object
    kind: str = "plain"
    places: int = 0


@dataclass(frozen=True)
class Nested:
    """A JSON object inside the row (``unit: {id, code, …}``)."""

    name: str
    fields: tuple[Field, ...]


def _flat(fields: Sequence[Field | Nested]) -> list[Field]:
    out: list[Field] = []
    for f in fields:
        out.extend(f.fields if isinstance(f, Nested) else [f])
    return out


def _pg(f: Field, col: str) -> str:
    if f.kind == "date":
        return f"to_char({col}, 'YYYY-MM-DD')"
    if f.kind == "datetime":
        utc = f"({col} AT TIME ZONE 'UTC')"
        return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
                f"date_part('microseconds', {col})::bigint %% 1000000 <> 0 "
                f"THEN to_char({utc}, '.MS') ELSE '' END || 'Z'")  # fmt: skip
    if f.kind == "decimal":
        return f"({col})::text"
    return col  # plain, bool, json (jsonb is embedded as it is)


def _sqlite(f: Field, col: str) -> str:
    if f.kind == "bool":
        return f"json(CASE WHEN {col} IS NULL THEN 'null' WHEN {col} THEN 'true' ELSE 'false' END)"
    if f.kind == "datetime":
        # Stored as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
        return (f"substr({col}, 1, 10) || 'T' || substr({col}, 12, 8) || CASE WHEN "
                f"length({col}) > 19 THEN substr({col}, 20, 4) ELSE '' END || 'Z'")  # fmt: skip
    if f.kind == "decimal":
        return f"CASE WHEN {col} IS NOT NULL THEN printf('%%.{f.places}f', {col}) END"
    if f.kind == "json":
        return f"json({col})"
    return col  # plain; dates are ISO text already


def _objects(fields: Sequence[Field | Nested], names: dict[int, str], vendor: str) -> str:
    build, cell = ("json_build_object", _pg) if vendor == "postgresql" else ("json_object", _sqlite)
    args = []
    for f in fields:
        if isinstance(f, Nested):
            args.append(f"'{f.name}', {_objects(f.fields, names, vendor)}")
        else:
            args.append(f"'{f.name}', {cell(f, names[id(f)])}")
    return f"{build}({', '.join(args)})"


def page_statement(
    queryset: QuerySet, fields: Sequence[Field | Nested], page: int, size: int
) -> tuple[str, list] | None:
    """One statement giving the count of ``queryset`` and the rows of page ``page`` (from 1)
    of ``size`` rows as a JSON array text (NULL when there are none); None when nothing can
    match (an empty scope)."""
    offset = min((page - 1) * size, MAX_ID // 2)  # past any end: no row, and no overflow
    flat = _flat(fields)
    names = {id(f): f"t.c{i}" for i, f in enumerate(flat)}
    values = {
        f"c{i}": F(f.source) if isinstance(f.source, str) else f.source for i, f in enumerate(flat)
    }
    try:
        page_sql, page_params = queryset.values(**values)[
            offset : offset + size
        ].query.sql_with_params()
        count_sql, count_params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    vendor = connection.vendor
    rows = _objects(fields, names, vendor)
    agg = "json_agg({})::text" if vendor == "postgresql" else "json_group_array({})"
    # Our columns; the values are bound.
    sql = (f"SELECT (SELECT COUNT(*) FROM ({count_sql}) n), "  # noqa: S608
           f"(SELECT {agg.format(rows)} FROM ({page_sql}) t)")  # fmt: skip
    return sql, [*count_params, *page_params]


def page_json(statement: tuple[str, list] | None, page: int, size: int) -> bytes:
    """The answer ``{"count", "page", "page_size", "results"}`` of ``statement``
    (:func:`page_statement`'s) as JSON bytes: PagePagination's shape, rows built by the
    database."""
    count, rows = 0, None
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)
            count, rows = cursor.fetchone()
    head = f'{{"count": {int(count)}, "page": {int(page)}, "page_size": {int(size)}, "results": '
    return b"".join((head.encode(), (rows or "[]").encode(), b"}"))
