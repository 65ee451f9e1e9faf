"""Seed the top levels of the asset classification so every install starts with a code list."""

from django.db import migrations


def seed(apps, schema_editor):
    import csv

    from panhuo.register.classification import SHIPPED

    Code = apps.get_model("register", "ClassificationCode")
    with SHIPPED.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code = {}
    for row in rows:
        obj, _ = Code.objects.get_or_create(code=row["code"], defaults={"name": row["name"]})
        by_code[row["code"]] = obj
    for row in rows:
        if row["parent"]:
            obj = by_code[row["code"]]
            obj.parent = by_code[row["parent"]]
            obj.level = 2
            obj.save(update_fields=["parent", "level"])


class Migration(migrations.Migration):
    dependencies = [("register", "0004_scope")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
