"""One approved figure per target and date, once 0009 has superseded the duplicates (a migration
of its own: PostgreSQL refuses to alter a table with the data fix's deferred checks pending)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0011_superseded_figures"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "approved")),
                fields=("target", "observed_on"),
                name="measurement_one_approved_per_date",
                violation_error_message="This target already has an approved figure for this date.",
            ),
        ),
    ]
