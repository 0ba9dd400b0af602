"""Projects in pinyin order of their names (zjai/collation.py), and on PostgreSQL the index
that serves the list sorted so."""

from django.db import migrations, models

import zjai.collation


def add_index(apps, schema_editor):
    zjai.collation.add_pinyin_index(
        schema_editor,
        table="projects_project",
        name="project_name_pinyin",
        columns=["name_zh", "id"],
    )


def remove_index(apps, schema_editor):
    zjai.collation.remove_pinyin_index(schema_editor, name="project_name_pinyin")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_valid_time"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="project",
            options={
                "ordering": [models.OrderBy(zjai.collation.Pinyin("name_zh")), "id"],
                "verbose_name": "project",
                "verbose_name_plural": "projects",
            },
        ),
        migrations.RunPython(add_index, remove_index, elidable=False),
    ]
