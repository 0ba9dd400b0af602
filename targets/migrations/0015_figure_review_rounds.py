"""Figures keep every review round (FigureReview) and the name their evidence was uploaded
under (`evidence_name`); new evidence files are stored under random names.

Existing figures get their rounds from the audit trail (each `submit` event opens a round,
the next `approve` or `reject` closes it, with its actor, time and comment); a figure the trail
has no such events for (demo data, written in bulk) gets one round from its own fields. Their
evidence name is the stored file's base name, the name they were shown under until now.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import PurePath

import django.db.models.deletion
import zjai.decimals
import zjai.uploads
from django.conf import settings
from django.db import migrations, models


COUNTED = ("approved", "withdrawn", "superseded")
BATCH = 1000


def _rounds_from_trail(AuditEvent, figure_ids):
    """{figure id: [round dicts]} from the figures' events. The events keep only what changed,
    so the value and date a submission sent are folded from the create and update events
    before it; a review's comment is its event's reason."""
    found = defaultdict(list)
    values = {}
    events = (
        AuditEvent.objects.filter(
            object_type="targets.measurement",
            object_id__in=[str(pk) for pk in figure_ids],
            action__in=["create", "update", "submit", "approve", "reject"],
        )
        .order_by("seq")
        .values_list("object_id", "action", "actor_id", "occurred_at", "after", "reason")
    )
    for object_id, action, actor_id, at, after, reason in events:
        pk = int(object_id)
        after = after or {}
        now = values.setdefault(pk, {"value": None, "observed_on": None})
        for key in ("value", "observed_on"):
            if after.get(key) is not None:
                now[key] = after[key]
        rounds = found[pk]
        if action == "submit":
            value, day = now["value"], now["observed_on"]
            rounds.append(
                {
                    "value": Decimal(str(value)) if value is not None else None,
                    "observed_on": dt.date.fromisoformat(day) if isinstance(day, str) else None,
                    "submitted_by_id": actor_id,
                    "submitted_at": at,
                    "decision": "",
                }
            )
        elif action in ("approve", "reject") and rounds and not rounds[-1]["decision"]:
            if actor_id is not None:
                rounds[-1].update(
                    decision="approved" if action == "approve" else "rejected",
                    reviewed_by_id=actor_id,
                    reviewed_at=at,
                    comment=reason or "",
                )
    return found


def _round_from_fields(figure):
    """The one round a figure's own fields tell: its last submission and its last review."""
    decided = figure.reviewed_at is not None and figure.reviewed_by_id is not None
    decision = ""
    if figure.state in COUNTED:
        decision = "approved"
    elif decided and (
        figure.state in ("rejected", "draft") or figure.reviewed_at >= figure.submitted_at
    ):
        decision = "rejected"
    review = (
        {
            "reviewed_by_id": figure.reviewed_by_id,
            "reviewed_at": figure.reviewed_at,
            "comment": figure.review_comment,
        }
        if decision and decided
        else {}
    )
    return {
        "value": figure.value,
        "observed_on": figure.observed_on,
        "submitted_by_id": figure.submitted_by_id,
        "submitted_at": figure.submitted_at,
        "decision": decision if review else "",
        **review,
    }


def backfill(apps, schema_editor):
    Measurement = apps.get_model("targets", "Measurement")
    FigureReview = apps.get_model("targets", "FigureReview")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    named = Measurement.objects.exclude(evidence="").filter(evidence_name="")
    for pk, stored in named.values_list("pk", "evidence").iterator(chunk_size=BATCH):
        name = PurePath(stored).name[:255]
        Measurement.objects.filter(pk=pk).update(evidence_name=name)
    submitted = Measurement.objects.filter(submitted_at__isnull=False).order_by("pk")
    last = 0
    while True:
        figures = list(submitted.filter(pk__gt=last)[:BATCH])
        if not figures:
            break
        last = figures[-1].pk
        trail = _rounds_from_trail(AuditEvent, [f.pk for f in figures])
        rows = []
        for figure in figures:
            rounds = trail.get(figure.pk) or [_round_from_fields(figure)]
            for number, fields in enumerate(rounds, start=1):
                if fields["value"] is None:
                    fields["value"] = figure.value
                if fields["observed_on"] is None:
                    fields["observed_on"] = figure.observed_on
                rows.append(FigureReview(measurement_id=figure.pk, number=number, **fields))
        FigureReview.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ('targets', '0014_target_windows_and_predecessor'),
        ('audit', '0002_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='measurement',
            name='evidence_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='evidence file name'),
        ),
        migrations.AlterField(
            model_name='measurement',
            name='evidence',
            field=models.FileField(blank=True, upload_to=zjai.uploads.RandomName('evidence/%Y/%m/'), verbose_name='evidence file'),
        ),
        migrations.CreateModel(
            name='FigureReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='round')),
                ('value', zjai.decimals.ExactDecimalField(decimal_places=4, max_digits=15, verbose_name='value')),
                ('observed_on', models.DateField(verbose_name='date described')),
                ('submitted_at', models.DateTimeField(verbose_name='submitted at')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed at')),
                ('decision', models.CharField(blank=True, choices=[('approved', 'approved'), ('rejected', 'rejected')], max_length=16, verbose_name='decision')),
                ('comment', models.TextField(blank=True, max_length=4000, verbose_name='review comment')),
                ('measurement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rounds', to='targets.measurement')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by')),
            ],
            options={
                'verbose_name': 'figure review round',
                'verbose_name_plural': 'figure review rounds',
                'ordering': ['measurement', 'number'],
                'constraints': [models.UniqueConstraint(fields=('measurement', 'number'), name='figure_review_round_once', violation_error_message='This figure already has a round with this number.'), models.CheckConstraint(condition=models.Q(('decision', ''), models.Q(('decision__in', ['approved', 'rejected']), ('reviewed_at__isnull', False), ('reviewed_by__isnull', False)), _connector='OR'), name='figure_review_decision_recorded', violation_error_message='A decided round records who decided and when.')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
