"""Enterprises in pinyin order of their names (zjai/collation.py), and on PostgreSQL the index
that serves the list sorted so (the default sort of a 100,000-row register)."""

from django.db import migrations, models

import zjai.collation


def add_index(apps, schema_editor):
    zjai.collation.add_pinyin_index(
        schema_editor,
        table="enterprises_enterprise",
        name="enterprise_name_pinyin",
        columns=["name_zh", "id"],
    )


def remove_index(apps, schema_editor):
    zjai.collation.remove_pinyin_index(schema_editor, name="enterprise_name_pinyin")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0005_valid_time"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="enterprise",
            options={
                "ordering": [models.OrderBy(zjai.collation.Pinyin("name_zh")), "id"],
                "verbose_name": "enterprise",
                "verbose_name_plural": "enterprises",
            },
        ),
        migrations.RunPython(add_index, remove_index, elidable=False),
    ]
