"""PostgreSQL test databases flushed with DELETE instead of TRUNCATE (a pytest plugin,
registered in the root conftest.py).

Every transactional test (``transaction=True``, live server, browser) ends with Django's
``flush``, which on PostgreSQL is one ``TRUNCATE`` of all ~60 tables. TRUNCATE gives each table
and each of its indexes a new file and drops the old ones: a fixed cost of seconds on a busy
two-core machine (measured 2.3–5.9 s for the migrated schema, against 0.3 s for a ``DELETE FROM``
of each table), though the tests leave a few hundred rows at most. The flush runs in one
transaction and Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so deleting the tables
in any order is as complete as the TRUNCATE; the identity sequences are left where they are,
as TRUNCATE without RESTART IDENTITY leaves them. A flush that resets sequences or cascades
keeps Django's own statement. Production code never flushes; this only changes the tests.
"""

from __future__ import annotations

from django.db.backends.postgresql.operations import DatabaseOperations

_original_sql_flush = DatabaseOperations.sql_flush


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """One DELETE per table for a plain flush; Django's TRUNCATE otherwise."""
    if reset_sequences or allow_cascade or not tables:
        return _original_sql_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables
    ]


def pytest_configure(config) -> None:
    DatabaseOperations.sql_flush = sql_flush
