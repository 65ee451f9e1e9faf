"""Hot statements as server-side prepared statements on PostgreSQL: parsed and planned once per
connection instead of on every call.

A bid's two big statements — the registration, deposit, lot (six tables joined) and the audit
chain's tip under their locks; the bid rows, the lot, the audit entry and the head's move in one
statement — were planned afresh by PostgreSQL on every bid: a few milliseconds of the database's
CPU per bid, as much as the rest of its work (docs/benchmarks.md, issue 16). ``execute`` sends
such a statement as ``EXECUTE name(values)`` of a ``PREPARE name AS …`` made the first time the
connection runs it (one more statement, once per connection and statement text).

Why ``PREPARE`` in SQL and not psycopg's own prepared statements: psycopg forgets (and
deallocates) every statement it prepared at each rollback, and most bids on a hot lot are refused
and rolled back; a ``PREPARE`` outlives the transaction it was made in. Which statements this
connection has prepared is kept on the connection (``panhuo.core.postgresql``), forgotten when
it reconnects. Values are bound as everywhere else (psycopg quotes them as literals), each taken
as the type PostgreSQL gave its parameter when preparing. Elsewhere (SQLite, prepared statements
off, or a PostgreSQL engine without the set) the statement simply runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connection

_MARK = re.compile(r"%s|%%")


def _numbered(sql: str) -> tuple[str, int]:
    """``sql`` with its ``%s`` placeholders numbered ``$1``, ``$2`` … and ``%%`` as ``%`` (the
    ``PREPARE`` is sent without values, so psycopg leaves its text as it is)."""
    count = 0

    def number(m: re.Match) -> str:
        nonlocal count
        if m.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _MARK.sub(number, sql), count


def execute(cursor, sql: str, params: Sequence[Any]) -> None:
    """Run ``sql`` with ``params`` on ``cursor``: prepared once per connection on PostgreSQL."""
    prepared: set[str] | None = getattr(connection, "prepared_statements", None)
    if prepared is None or connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name = "panhuo_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
    try:
        if name not in prepared:
            numbered, count = _numbered(sql)
            if count != len(params):
                raise ValueError(f"{count} placeholders for {len(params)} values")
            # The name is ours (hex), the text the caller's own statement.
            cursor.execute(f"PREPARE {name} AS {numbered}")
            prepared.add(name)
        marks = ", ".join(["%s"] * len(params))
        cursor.execute(f"EXECUTE {name}({marks})" if params else f"EXECUTE {name}", params or None)
    except DatabaseError as error:
        # The session and the set disagree (not expected: only a reconnect forgets, and it
        # empties the set): put the set right, so that only this call fails.
        state = getattr(getattr(error, "__cause__", None), "sqlstate", None)
        if state == "26000":  # invalid_sql_statement_name: not prepared in this session
            prepared.discard(name)
        elif state == "42P05":  # duplicate_prepared_statement: prepared already
            prepared.add(name)
        raise
