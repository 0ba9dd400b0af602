"""Superseded figures: one approved figure per target and date (docs/domain.md).

Before this, two approved figures for the same target and date could coexist and the last
approved won silently. The data fix keeps, for each target and date, the latest approved figure
(by approval time, then id) and marks every other approved one superseded by it, at the time it
was approved: reports as of a date before that still count the old figure, as they did. The fix
writes no audit event (a migration has no acting user); the figures it changed are those in
state "superseded" whose `superseded_at` equals their successor's `reviewed_at` and that have no
"supersede" event.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def supersede_duplicates(apps, schema_editor) -> None:
    Measurement = apps.get_model("targets", "Measurement")
    approved = Measurement.objects.filter(state="approved").order_by(
        "target_id", "observed_on", "-reviewed_at", "-id"
    )
    kept = None
    for figure in approved.iterator():
        if kept is not None and (kept.target_id, kept.observed_on) == (
            figure.target_id,
            figure.observed_on,
        ):
            figure.state = "superseded"
            figure.superseded_by_id = kept.pk
            figure.superseded_at = kept.reviewed_at
            figure.version += 1
            figure.save(update_fields=["state", "superseded_by", "superseded_at", "version"])
        else:
            kept = figure


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("targets", "0010_rollup_final_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="measurement",
            name="measurement_state_valid",
        ),
        migrations.RemoveConstraint(
            model_name="measurement",
            name="measurement_review_recorded",
        ),
        migrations.RemoveIndex(
            model_name="measurement",
            name="measurement_counting",
        ),
        migrations.AddField(
            model_name="measurement",
            name="superseded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="superseded at"),
        ),
        migrations.AddField(
            model_name="measurement",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supersedes",
                to="targets.measurement",
                verbose_name="superseded by",
            ),
        ),
        migrations.AlterField(
            model_name="measurement",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "draft"),
                    ("submitted", "submitted"),
                    ("approved", "approved"),
                    ("rejected", "rejected"),
                    ("withdrawn", "withdrawn"),
                    ("superseded", "superseded"),
                ],
                default="draft",
                max_length=16,
                verbose_name="state",
            ),
        ),
        migrations.AddIndex(
            model_name="measurement",
            index=models.Index(
                condition=models.Q(("state__in", ["approved", "withdrawn", "superseded"])),
                fields=["target", "observed_on", "reviewed_at", "id"],
                name="measurement_counting",
            ),
        ),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        ["draft", "submitted", "approved", "rejected", "withdrawn", "superseded"],
                    )
                ),
                name="measurement_state_valid",
                violation_error_message="Unknown state.",
            ),
        ),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("state__in", ["approved", "rejected", "withdrawn", "superseded"]),
                        _negated=True,
                    ),
                    models.Q(("reviewed_at__isnull", False), ("reviewed_by__isnull", False)),
                    _connector="OR",
                ),
                name="measurement_review_recorded",
                violation_error_message="A reviewed figure records who reviewed it and when.",
            ),
        ),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "superseded"), _negated=True),
                    models.Q(("superseded_at__isnull", False), ("superseded_by__isnull", False)),
                    _connector="OR",
                ),
                name="measurement_supersession_recorded",
                violation_error_message="A superseded figure records which figure replaced it and when.",
            ),
        ),
        migrations.RunPython(supersede_duplicates, migrations.RunPython.noop),
    ]
