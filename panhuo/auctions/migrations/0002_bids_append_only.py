"""Bids are append-only in the database itself: an UPDATE of a bid row is refused (a trigger on
PostgreSQL and SQLite), as the audit log's entries are. The model and its queryset refuse
updates and deletes too; deletion is left to them (and to PROTECT from the lot and the
registration), because test databases must still be emptied between tests."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION auctions_bid_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'bids are append-only (lot %, bid %)', OLD.lot_id, OLD.seq;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER auctions_bid_no_update BEFORE UPDATE ON auctions_bid
    FOR EACH ROW EXECUTE FUNCTION auctions_bid_refuse_update();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS auctions_bid_no_update ON auctions_bid;
DROP FUNCTION IF EXISTS auctions_bid_refuse_update();
"""
SQLITE_UP = """
CREATE TRIGGER auctions_bid_no_update BEFORE UPDATE ON auctions_bid
BEGIN
    SELECT RAISE(ABORT, 'bids are append-only');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS auctions_bid_no_update;"


def up(apps, schema_editor):
    sql = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def down(apps, schema_editor):
    sql = PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("auctions", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
