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

On both databases a plain flush also leaves the content types and permissions alone. Django's
flush emptied them and its post_migrate signal made them again under new ids, so every test
world, API world and seeded demo recorded before the flush (world_snapshot, recorded,
demo_snapshot) had to be built again for real after it, in every worker, after every browser
or live-server test. Kept, they keep their ids, the recordings stay valid, and ``seeded``
starts a new generation only if the ids did change after all.
"""

from __future__ import annotations

# Through each backend's base module: importing sqlite3.operations first is a circular import.
from django.db.backends.postgresql.base import DatabaseOperations as PostgreSQLOperations
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations

_original_pg_flush = PostgreSQLOperations.sql_flush
_original_sqlite_flush = SQLiteOperations.sql_flush


def kept_tables() -> set[str]:
    """The tables a plain flush leaves: the ones post_migrate would fill again (new ids)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return {ContentType._meta.db_table, Permission._meta.db_table}


def pg_sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """One DELETE per table (but the kept ones) for a plain flush; Django's TRUNCATE otherwise."""
    if reset_sequences or allow_cascade or not tables:
        return _original_pg_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    kept = kept_tables()
    return [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};"
        for t in tables
        if t not in kept
    ]


def sqlite_sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """Django's DELETEs, but not of the kept tables, for a plain flush."""
    if not (reset_sequences or allow_cascade):
        kept = kept_tables()
        tables = [t for t in tables if t not in kept]
    return _original_sqlite_flush(
        self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
    )


def pytest_configure(config) -> None:
    PostgreSQLOperations.sql_flush = pg_sql_flush
    SQLiteOperations.sql_flush = sqlite_sql_flush
