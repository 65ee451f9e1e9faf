"""A table whose rows are never changed, enforced by the database: a migration operation that
adds a trigger refusing every UPDATE (PostgreSQL and SQLite). Deletion is left to the models
and services, so that test databases can still be emptied between tests.

Used by ``auctions`` for bids (the audit log's and the documents' older migrations spell the
same trigger out)."""

from __future__ import annotations

from django.db import migrations


def refuse_updates(table: str, what: str) -> migrations.RunPython:
    """The migration operation: ``table``'s rows refuse UPDATE, saying ``what`` (plain text,
    no quotes or percent signs)."""
    name = f"{table}_no_update"
    pg_up = f"""
CREATE OR REPLACE FUNCTION {table}_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{what} (row %)', OLD.id;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_refuse_update();
"""
    pg_down = (
        f"DROP TRIGGER IF EXISTS {name} ON {table}; "
        f"DROP FUNCTION IF EXISTS {table}_refuse_update();"
    )
    sqlite_up = (
        f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{what}'); END;"
    )
    sqlite_down = f"DROP TRIGGER IF EXISTS {name};"

    def run(sql_pg: str, sql_sqlite: str):
        def apply(apps, schema_editor):
            pg = schema_editor.connection.vendor == "postgresql"
            # Without parameters, so that the driver does not read '%' as a placeholder.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql_pg if pg else sql_sqlite)

        return apply

    return migrations.RunPython(run(pg_up, sqlite_up), run(pg_down, sqlite_down))
