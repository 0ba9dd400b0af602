"""Responsible units within a kind in pinyin order of their names (zjai/collation.py)."""

from django.db import migrations, models

import zjai.collation


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_plan_task_reporting"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="responsibleunit",
            options={
                "ordering": ["kind", models.OrderBy(zjai.collation.Pinyin("name_zh")), "code"],
                "verbose_name": "responsible unit",
                "verbose_name_plural": "responsible units",
            },
        ),
    ]
