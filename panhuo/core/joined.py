"""A hot read of one model with its foreign keys followed (as ``select_related``), its SQL built
once per process instead of compiled by the ORM on every call.

The ORM compiles a ``select_related`` over six tables in about as much CPU as the whole rest of
a request (measured on the bid path: bench/bids.py, docs/benchmarks.md). ``JoinedRead`` builds
the same statement once from the models' own metadata — every concrete column of each model on
the paths, the joins inner where the key is required and left where it may be null — and turns
each row into the same model instances, related objects cached on them as ``select_related``
leaves them, the database's values passed through the fields' own converters (SQLite's text
dates and decimals, JSON), as the ORM would.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection
from django.db.models import Model

from panhuo.core import prepared


class _Table:
    def __init__(
        self, model: type[Model], alias: str, parent: _Table | None, field,
        only: tuple[str, ...] | None = None,
    ) -> None:  # fmt: skip
        self.model, self.alias, self.parent, self.field = model, alias, parent, field
        self.fields = [
            f for f in model._meta.concrete_fields
            if only is None or f.primary_key or f.name in only or f.attname in only
        ]  # fmt: skip
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        #: Joined on a key that may be null (or below such a join): a left join.
        self.outer = field is not None and (field.null or parent.outer)
        #: Per column, the converters the ORM would apply to it (most have none).
        self.converters: list[tuple[int, list, Any]] = []

    def prepare(self, start: int) -> None:
        self.start, self.converters = start, []
        for i, f in enumerate(self.fields):
            col = f.get_col(self.alias)
            found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if found:
                self.converters.append((start + i, found, col))


class JoinedRead:
    """``model`` rows with ``paths`` (``"lot__round__project"``: each step a foreign key)
    followed, filtered by ``where`` (SQL over the aliases ``t0``, ``t1`` … in the order the
    paths name the tables; ``t0`` is ``model``), optionally locking the row of the table at
    ``lock`` (a path, or "" for ``model``'s) with ``FOR UPDATE OF`` where the database has it.

    ``also``: (columns, join, alias) of one more table read in the same statement (joined after
    the paths, its row locked too when ``lock`` is given and ``alias`` is not empty), its
    columns' values left on the model instance as ``joined_also`` (a tuple).

    ``only``: per path, the fields read of that table (its key always, and the key of the next
    table on the path: name it); the others are left deferred (as ``.only()`` would: read by
    a statement of their own if ever used). Tables passed through only to reach another read
    a few columns instead of dozens, each converted and set on an instance."""

    def __init__(
        self, model: type[Model], paths: tuple[str, ...], where: str, lock: str | None = None,
        also: tuple[str, str, str] | None = None, only: dict[str, tuple[str, ...]] | None = None,
    ) -> None:  # fmt: skip
        only = only or {}
        self.tables = [_Table(model, "t0", None, None, only.get(""))]
        self.by_path = {"": self.tables[0]}
        for path in paths:
            parts = path.split("__")
            for n in range(1, len(parts) + 1):
                key = "__".join(parts[:n])
                if key in self.by_path:
                    continue
                parent = self.by_path["__".join(parts[: n - 1])]
                field = parent.model._meta.get_field(parts[n - 1])
                table = _Table(
                    field.related_model, f"t{len(self.tables)}", parent, field, only.get(key)
                )
                self.tables.append(table)
                self.by_path[key] = table
        self.where, self.lock, self.also = where, lock, also
        self._sql: str | None = None
        self._building = threading.Lock()

    def sql(self) -> str:
        with self._building:
            if self._sql is None:
                self._sql = self._build()
        return self._sql

    def _build(self) -> str:
        quote = connection.ops.quote_name
        columns, start = [], 0
        for t in self.tables:
            t.prepare(start)
            start += len(t.fields)
            columns += [f"{t.alias}.{quote(f.column)}" for f in t.fields]
        root = self.tables[0]
        joins = [f"{quote(root.model._meta.db_table)} {root.alias}"]
        for t in self.tables[1:]:
            kind = "LEFT OUTER JOIN" if t.outer else "INNER JOIN"
            target = t.field.target_field.column
            joins.append(
                f"{kind} {quote(t.model._meta.db_table)} {t.alias} ON "
                f"{t.parent.alias}.{quote(t.field.column)} = {t.alias}.{quote(target)}"
            )
        self.width = start
        locked = [self.by_path[self.lock].alias] if self.lock is not None else []
        if self.also is not None:
            more, join, alias = self.also
            columns.append(more)
            joins.append(join)
            locked += [alias] if alias and locked else []
        # Names from the models and the where of our own code; values go as parameters.
        sql = f"SELECT {', '.join(columns)} FROM {' '.join(joins)} WHERE {self.where}"  # noqa: S608
        if locked and connection.features.has_select_for_update_of:
            sql += f" FOR UPDATE OF {', '.join(locked)}"
        return sql

    def first(self, params: list[Any]) -> Model | None:
        """The first row's ``model`` instance, its related objects cached; None when none."""
        sql = self.sql()
        with connection.cursor() as cursor:
            prepared.execute(cursor, sql, params)  # planned once per connection (PostgreSQL)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        objs: dict[str, Model | None] = {}
        for path, t in self.by_path.items():
            for i, converters, col in t.converters:
                value = row[i]
                for convert in converters:
                    value = convert(value, col, connection)
                row[i] = value
            values = row[t.start : t.start + len(t.fields)]
            objs[path] = (
                None if values[t.pk_index] is None
                else t.model.from_db(connection.alias, t.attnames, values)
            )  # fmt: skip
        for path, t in self.by_path.items():
            if t.parent is not None:
                parent = objs[path.rpartition("__")[0]]
                if parent is not None:
                    t.field.set_cached_value(parent, objs[path])
        if self.also is not None:
            objs[""].joined_also = tuple(row[self.width :])
        return objs[""]
