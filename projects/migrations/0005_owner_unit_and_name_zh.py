"""The project register names its fields as the enterprise register does: `owner_unit` (the
managing unit) for `unit`, `name_zh` for `name`. Renamed, so the data stays; the name index is
dropped and made again on the renamed column, as the migration state cannot rename an index's
fields."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("projects", "0004_list_sort_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="project", name="project_name"),
        migrations.RenameField(model_name="project", old_name="name", new_name="name_zh"),
        migrations.RenameField(model_name="project", old_name="unit", new_name="owner_unit"),
        migrations.AlterField(
            model_name="project",
            name="name_zh",
            field=models.CharField(max_length=300, verbose_name="name (Chinese)"),
        ),
        migrations.AlterField(
            model_name="project",
            name="owner_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects",
                to="plans.responsibleunit",
                verbose_name="managing unit",
            ),
        ),
        migrations.AlterModelOptions(
            name="project",
            options={
                "ordering": ["name_zh", "id"],
                "verbose_name": "project",
                "verbose_name_plural": "projects",
            },
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["name_zh", "id"], name="project_name"),
        ),
    ]
