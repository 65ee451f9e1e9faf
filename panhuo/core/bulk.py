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


def _json_column(values: Sequence) -> list:
    dumps = json.dumps
    return [
        None if v is None else v if isinstance(v, RawJSON) else dumps(v, ensure_ascii=False)
        for v in values
    ]


def _sqlite_converter(field: models.Field) -> Callable[[Sequence], list] | None:
    """How one column's values are made SQLite's, a whole column at a time (None: as they
    are; sqlite3 binds a Decimal as its text, Django's adapter)."""
    kind = field.get_internal_type()
    if kind == "DecimalField":
        step = Decimal(1).scaleb(-field.decimal_places)

        def dec(values):
            return [
                None if v is None else (v if type(v) is Decimal else Decimal(v)).quantize(step)
                for v in values
            ]

        return dec
    if kind == "DateTimeField":

        def when(values):
            # A bulk insert's rows mostly share one time: each distinct one formatted once.
            made: dict = {None: None}
            out = []
            for v in values:
                text = made.get(v, made)
                if text is made:
                    text = made[v] = v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
                out.append(text)
            return out

        return when
    if kind == "DateField":
        return lambda values: [None if v is None else v.isoformat() for v in values]
    if kind == "BooleanField":
        return lambda values: [None if v is None else int(bool(v)) for v in values]
    if kind == "JSONField":
        return _json_column
    return None


#: SQL templates of ``insert_sql`` and ``update_sql``, built once per process and key: the ORM
#: compiled them on every bid in more CPU than a fifth of the request (bench/bids.py profile).
_TEMPLATES: dict[tuple, str] = {}


def _template(key: tuple, build: Callable[[], str]) -> str:
    sql = _TEMPLATES.get(key)
    if sql is None:
        sql = _TEMPLATES[key] = build()
    return sql


def insert_sql(objs: Sequence[models.Model]) -> tuple[str, Sequence]:
    """One INSERT of new rows ``objs`` (all of one model), not run: for a service that sends
    it with other statements in one round trip (``integrity.services.audit_record(along=…)``).
    Each value goes through its field as the ORM's insert sends it (``pre_save`` for a new row,
    then ``get_db_prep_save``); the statement's text is built once per model, vendor and number
    of rows. The rows get no primary key back."""
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]

    def build() -> str:
        qn = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Table and column names from the model's metadata, quoted; the values are bound.
        return (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"  # noqa: S608
            f" VALUES {', '.join([row] * len(objs))}"
        )

    sql = _template(("insert", model, connection.vendor, len(objs)), build)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    return sql, params


def update_sql(model: type[models.Model], pk, values: dict[str, Any]) -> tuple[str, Sequence]:
    """One UPDATE of row ``pk`` setting ``values`` (field names, each value through its field's
    ``get_db_prep_save``), not run; its text built once per model, vendor and fields."""
    meta = model._meta
    fields = [meta.get_field(name) for name in values]

    def build() -> str:
        qn = connection.ops.quote_name
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        return f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608

    sql = _template(("update", model, connection.vendor, tuple(values)), build)
    params = [
        f.get_db_prep_save(v, connection) for f, v in zip(fields, values.values(), strict=True)
    ]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    return sql, params


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples of Python values in ``fields`` order) into ``model``'s table."""
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    columns = [f.column for f in model_fields]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        convert = [
            (i, _json_column) for i, f in enumerate(model_fields)
            if f.get_internal_type() == "JSONField"
        ]  # fmt: skip
    else:
        convert = [
            (i, c) for i, c in enumerate(_sqlite_converter(f) for f in model_fields) if c
        ]  # fmt: skip
    if convert:
        # Column by column: each converter runs once over its column, not once per value.
        # (A row of the wrong width is refused here.)
        cols = list(zip(*rows, strict=True))
        for i, c in convert:
            cols[i] = c(cols[i])
        rows = list(zip(*cols, strict=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
            with cursor.copy(sql) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            names = ", ".join(qn(c) for c in columns)
            marks = ", ".join("%s" for _ in columns)
            # Table and column names come from the model's metadata, quoted; values are bound.
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, rows)
    return len(rows)
