"""The revenue classification: three budgets and their main items (see monitor/categories.py)."""

from django.db import migrations

# A copy of the tree as it stood when this migration was written: later edits of the module
# must not change what an old migration does.
TREE = [
    ("tax", "Tax revenue", "税收收入", [
        ("vat", "Value-added tax", "增值税"),
        ("corporate_income_tax", "Corporate income tax", "企业所得税"),
        ("individual_income_tax", "Individual income tax", "个人所得税"),
        ("deed_tax", "Deed tax", "契税"),
        ("land_vat", "Land value-added tax", "土地增值税"),
        ("urban_land_use_tax", "Urban land use tax", "城镇土地使用税"),
        ("property_tax", "Property tax", "房产税"),
        ("other_taxes", "Other taxes", "其他税收收入"),
    ]),
    ("non_tax", "Non-tax revenue", "非税收入", [
        ("fees", "Administrative fees", "行政事业性收费收入"),
        ("fines", "Fines and confiscations", "罚没收入"),
        ("state_assets", "State-owned resource and asset income", "国有资源（资产）有偿使用收入"),
        ("other_non_tax", "Other non-tax revenue", "其他非税收入"),
    ]),
    ("fund", "Government fund revenue", "政府性基金收入", [
        ("land_sales", "Land-use right sales", "国有土地使用权出让收入"),
        ("other_fund", "Other government fund revenue", "其他政府性基金收入"),
    ]),
]  # fmt: skip


def seed(apps, schema_editor):
    Category = apps.get_model("monitor", "RevenueCategory")
    position = 0
    for code, name, zh, children in TREE:
        position += 10
        top = Category.objects.create(
            code=code, name=name, name_zh=zh, parent=None, budget=code, position=position
        )
        for child_code, child_name, child_zh in children:
            position += 10
            Category.objects.create(
                code=child_code,
                name=child_name,
                name_zh=child_zh,
                parent=top,
                budget=code,
                position=position,
            )


def unseed(apps, schema_editor):
    Category = apps.get_model("monitor", "RevenueCategory")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("monitor", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
