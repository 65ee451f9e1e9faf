"""Make the audit log append-only in the database itself: UPDATE of an entry is refused.

The hash chain still detects anyone who drops the trigger and edits history; the trigger just
stops accidents and casual edits. Deletion is left to the chain and head checks, because test
databases must still be emptied between tests.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION integrity_audit_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (entry %)', OLD.seq;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER integrity_audit_no_update BEFORE UPDATE ON integrity_auditentry
    FOR EACH ROW EXECUTE FUNCTION integrity_audit_refuse_update();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS integrity_audit_no_update ON integrity_auditentry;
DROP FUNCTION IF EXISTS integrity_audit_refuse_update();
"""
SQLITE_UP = """
CREATE TRIGGER integrity_audit_no_update BEFORE UPDATE ON integrity_auditentry
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS integrity_audit_no_update;"


def up(apps, schema_editor):
    sql = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    # Run without parameters, so that the driver does not read '%' as a placeholder.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def down(apps, schema_editor):
    sql = PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("integrity", "0002_initial")]
    operations = [migrations.RunPython(up, down)]
