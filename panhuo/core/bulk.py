"""Fast inserts for bulk work (imports, seeding): COPY on PostgreSQL, executemany on SQLite.

The ORM's bulk_create compiles every value through every field on every row, which dominates
a million-row import. Here each column gets one converter, chosen once, and the rows go to the
database in its fastest bulk form. Callers stay inside their service's transaction and write
their audit entries as usual; this is only the last step of a write, never a way around one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models


class RawJSON(str):
    """A JSON field's value already serialised (its text is stored as is): a writer that hashes
    the text it stores serialises once (integrity/batches.py)."""


def _json(v):
    return None if v is None else v if isinstance(v, RawJSON) else json.dumps(v, ensure_ascii=False)


def _sqlite_converter(field: models.Field) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    if kind == "DecimalField":
        places = field.decimal_places

        def dec(v):
            return None if v is None else format(Decimal(v).quantize(Decimal(1).scaleb(-places)))

        return dec
    if kind == "DateTimeField":

        def when(v):
            if v is None:
                return None
            return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

        return when
    if kind == "DateField":
        return lambda v: None if v is None else v.isoformat()
    if kind == "BooleanField":
        return lambda v: None if v is None else int(bool(v))
    if kind == "JSONField":
        return _json
    return lambda v: v


def _pg_converter(field: models.Field) -> Callable[[Any], Any]:
    if field.get_internal_type() == "JSONField":
        return _json
    return lambda v: v


def insert_sql(objs: Sequence[models.Model]) -> tuple[str, Sequence]:
    """One INSERT of new rows ``objs`` (all of one model), compiled by the ORM and not run:
    for a service that sends it with other statements in one round trip
    (``integrity.services.audit_record(along=…)``). The rows get no primary key back."""
    from django.db.models.sql import InsertQuery

    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    query = InsertQuery(type(objs[0]))
    query.insert_values(fields, objs)
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, params


def update_sql(model: type[models.Model], pk, values: dict[str, Any]) -> tuple[str, Sequence]:
    """One UPDATE of row ``pk`` setting ``values`` (field names), compiled and not run."""
    from django.db.models.sql import UpdateQuery

    query = UpdateQuery(model)
    query.add_update_values(values)
    query.add_filter("pk", pk)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, params


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples of Python values in ``fields`` order) into ``model``'s table."""
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    columns = [f.column for f in model_fields]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            convert = [_pg_converter(f) for f in model_fields]
            sql = f"COPY {table} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row([c(v) for c, v in zip(convert, row, strict=True)])
                    n += 1
        else:
            convert = [_sqlite_converter(f) for f in model_fields]
            names = ", ".join(qn(c) for c in columns)
            marks = ", ".join("%s" for _ in columns)
            # Table and column names come from the model's metadata, quoted; values are bound.
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            data = [[c(v) for c, v in zip(convert, row, strict=True)] for row in rows]
            cursor.executemany(sql, data)
            n = len(data)
    return n
