"""A stored document is never changed: UPDATE of a document row is refused by the database.

New versions are new rows; the services only insert. As with the audit log, deletion is left
alone so that test databases can still be emptied, and the file store keeps its own check:
every download verifies the SHA-256 recorded here.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION integrity_document_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stored documents are never changed (document %)', OLD.id;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER integrity_document_no_update BEFORE UPDATE ON integrity_document
    FOR EACH ROW EXECUTE FUNCTION integrity_document_refuse_update();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS integrity_document_no_update ON integrity_document;
DROP FUNCTION IF EXISTS integrity_document_refuse_update();
"""
SQLITE_UP = """
CREATE TRIGGER integrity_document_no_update BEFORE UPDATE ON integrity_document
BEGIN
    SELECT RAISE(ABORT, 'stored documents are never changed');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS integrity_document_no_update;"


def up(apps, schema_editor):
    sql = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def down(apps, schema_editor):
    sql = PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("integrity", "0004_document")]
    operations = [migrations.RunPython(up, down)]
