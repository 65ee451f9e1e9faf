"""An essential public-service asset can never enter a package: enforced by the database too.

Two triggers: adding an essential asset to a package is refused, and so is marking an asset
essential while it sits in a live package. The service layer refuses both first, with a clear
message; these are the last line of defence against any other writer.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION disposal_refuse_essential_item() RETURNS trigger AS $$
BEGIN
    IF (SELECT criticality FROM register_asset WHERE id = NEW.asset_id) = 'essential' THEN
        RAISE EXCEPTION 'asset % serves an essential public service and cannot enter a package',
            NEW.asset_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER disposal_item_not_essential BEFORE INSERT OR UPDATE ON disposal_packageitem
    FOR EACH ROW EXECUTE FUNCTION disposal_refuse_essential_item();

CREATE OR REPLACE FUNCTION disposal_refuse_packaged_essential() RETURNS trigger AS $$
BEGIN
    IF NEW.criticality = 'essential' AND EXISTS (
        SELECT 1 FROM disposal_packageitem WHERE asset_id = NEW.id AND live
    ) THEN
        RAISE EXCEPTION 'asset % is in a live package and cannot be marked essential', NEW.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER register_asset_packaged_not_essential BEFORE UPDATE OF criticality
    ON register_asset FOR EACH ROW EXECUTE FUNCTION disposal_refuse_packaged_essential();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS disposal_item_not_essential ON disposal_packageitem;
DROP FUNCTION IF EXISTS disposal_refuse_essential_item();
DROP TRIGGER IF EXISTS register_asset_packaged_not_essential ON register_asset;
DROP FUNCTION IF EXISTS disposal_refuse_packaged_essential();
"""
SQLITE_UP = [
    """
    CREATE TRIGGER disposal_item_not_essential BEFORE INSERT ON disposal_packageitem
    WHEN (SELECT criticality FROM register_asset WHERE id = NEW.asset_id) = 'essential'
    BEGIN
        SELECT RAISE(ABORT, 'an essential public-service asset cannot enter a package');
    END
    """,
    """
    CREATE TRIGGER disposal_item_not_essential_upd BEFORE UPDATE ON disposal_packageitem
    WHEN (SELECT criticality FROM register_asset WHERE id = NEW.asset_id) = 'essential'
    BEGIN
        SELECT RAISE(ABORT, 'an essential public-service asset cannot enter a package');
    END
    """,
    """
    CREATE TRIGGER register_asset_packaged_not_essential BEFORE UPDATE OF criticality
    ON register_asset
    WHEN NEW.criticality = 'essential' AND EXISTS (
        SELECT 1 FROM disposal_packageitem WHERE asset_id = NEW.id AND live
    )
    BEGIN
        SELECT RAISE(ABORT, 'an asset in a live package cannot be marked essential');
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS disposal_item_not_essential",
    "DROP TRIGGER IF EXISTS disposal_item_not_essential_upd",
    "DROP TRIGGER IF EXISTS register_asset_packaged_not_essential",
]


def _run(schema_editor, pg: str, sqlite: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(pg)
        else:
            for statement in sqlite:
                cursor.execute(statement)


def up(apps, schema_editor):
    _run(schema_editor, PG_UP, SQLITE_UP)


def down(apps, schema_editor):
    _run(schema_editor, PG_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("disposal", "0002_initial"), ("register", "0004_scope")]
    operations = [migrations.RunPython(up, down)]
