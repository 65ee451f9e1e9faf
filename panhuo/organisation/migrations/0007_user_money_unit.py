from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_taskforce_members"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="money_unit",
            field=models.CharField(
                blank=True,
                choices=[
                    ("yuan", "元 (yuan)"),
                    ("wan", "万元 (10,000 yuan)"),
                    ("yi", "亿元 (100,000,000 yuan)"),
                ],
                help_text="The unit amounts are shown in",
                max_length=4,
                verbose_name="amount unit",
            ),
        ),
    ]
