"""Register changes that wait for a second person: a proposed change of an entry's counted fields
(or a new entry that would count), and the import batch that groups an import's changes.

A change that moves a target takes effect only once a reviewer of the entry's managing unit (or
an administrator), never its proposer, confirms it (docs/domain.md, "Four eyes on the
registers"). Until then the entry keeps its confirmed values, which are what the targets count
(targets/values.py); a new entry carries `confirmed=False` and counts nowhere.

The proposal is a record of its own rather than columns on the entry: the entry's columns are
the confirmed values, and their valid-time history (to come) is a history of confirmed values.
The registers sit below the enterprise and project apps, so a change points to its entry by
content type and id.

A register import too large to check within a request: the job that checks and imports it
in a Celery worker (registers.tasks.run_import_job), and the page that shows its progress.

The uploaded file is kept in the row itself (`content`) until the job has read it: nothing
under MEDIA_ROOT, which a misconfigured web server might serve, and nothing left behind when
the job ends, however it ends (registers.jobs.services clears it). The row then keeps only
what the page shows: how far the check got, and the errors or the count imported.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ChangeKind, ChangeState, EditKind, ImportJobState


def entry_field(model: type[models.Model], name: str) -> models.Field:
    """A register's own field of that name (the counted fields are all concrete)."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field), name
    return found


class ValidTime(models.Model):
    """When a register entry's counted values hold, and since when the system knows it.

    Both registers' entries carry these two fields for their current values (what the entry's
    columns hold), and their history rows (EntryHistory) carry them for every other period and
    every superseded piece of knowledge. Counting as of a date D, as known at an instant K,
    reads the one row of each entry whose period holds D and whose knowledge was current at K
    (targets/values.py); the same field names on both tables let the same filter read both.
    """

    # None: since the entry's beginning; the entry's own dates (recognised on, started on) then
    # say when it counts.
    valid_from = models.DateField(_("holds from"), null=True, blank=True)
    # The database's default too: a row written by SQL is known from when it was written.
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_default=Now())

    class Meta:
        abstract = True


class EntryHistory(ValidTime):
    """One period of an entry's counted values as the system knew it over a span of time.

    A row is never changed once written, except to end its knowledge (`replaced_at`), when a
    later change or correction recorded another account of its period (registers/services/
    history.py). The current knowledge is the rows with no `replaced_at` plus the entry's own
    row (its open-ended last period)."""

    # Exclusive; None: open-ended (the entry's period, as known before it was replaced).
    valid_to = models.DateField(_("holds until"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    edit_kind = models.CharField(
        _("recorded by"), max_length=16, choices=EditKind.choices, blank=True
    )

    class Meta:
        abstract = True
        ordering = ["recorded_at", "pk"]


class ImportBatch(models.Model):
    """The counted entries of one bulk import, confirmed or rejected together."""

    State = ChangeState

    register = models.ForeignKey(
        ContentType, verbose_name=_("register"), on_delete=models.PROTECT, related_name="+"
    )
    owner_unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        verbose_name=_("managing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField(_("file"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state", "owner_unit"], name="import_batch_state_unit")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class PendingChangeQuerySet(models.QuerySet):
    def pending(self) -> PendingChangeQuerySet:
        return self.filter(state=ChangeState.PENDING)

    def of_entry(self, entry: models.Model) -> PendingChangeQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(entry)), object_id=entry.pk
        )


class PendingChange(models.Model):
    """A proposed change of a register entry's counted fields, or a new entry that would count.

    `proposed` holds the counted fields' proposed values (JSON: dates and amounts as text);
    `previous` the entry's confirmed values of the same fields when it was proposed. At most one
    change of an entry is pending at a time."""

    State = ChangeState
    Kind = ChangeKind

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("register"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("entry id"))
    entry = GenericForeignKey("content_type", "object_id")
    # The entry's name when last proposed: a rejected new entry is removed from its register.
    entry_repr = models.CharField(_("entry"), max_length=300)
    owner_unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        verbose_name=_("managing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    # A change of counted fields is a change from a date (`effective_from`, by default the day
    # it was proposed) or a correction of a value that was always wrong (no date).
    edit_kind = models.CharField(
        _("change or correction"),
        max_length=16,
        choices=EditKind.choices,
        default=EditKind.CHANGE,
    )
    effective_from = models.DateField(_("takes effect on"), null=True, blank=True)
    proposed = models.JSONField(_("proposed values"), encoder=DjangoJSONEncoder, default=dict)
    previous = models.JSONField(_("confirmed values"), encoder=DjangoJSONEncoder, default=dict)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    reason = models.TextField(_("reason for the change"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "state"], name="pending_change_entry"
            ),
            models.Index(fields=["state", "owner_unit"], name="pending_change_state_unit"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state="pending"),
                name="one_pending_change_per_entry",
                violation_error_message=_("This entry already has a change awaiting confirmation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    def proposed_values(self, model: type[models.Model]) -> dict[str, Any]:
        """The proposed values as the entry's fields hold them (dates, decimals, not text)."""
        return {
            name: entry_field(model, name).to_python(value) for name, value in self.proposed.items()
        }


# How long a job may wait for a worker before it counts as lost (no worker, or the broker lost
# its message): the page then says so, and the next upload clears its file.
QUEUE_PATIENCE = dt.timedelta(hours=1)


class ImportJobQuerySet(models.QuerySet):
    def for_user(self, user) -> ImportJobQuerySet:
        """An import's progress and errors are its uploader's alone."""
        return self.filter(user=user)


class ImportJob(models.Model):
    State = ImportJobState
    FINISHED = (State.DONE, State.REJECTED, State.FAILED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    # The register's import (registers.imports.import_for): "enterprises", "projects".
    register = models.CharField(_("register"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    # The file's bytes, until the job has finished with them (then NULL).
    content = models.BinaryField(null=True, editable=False)
    # The uploader's language, for the messages the job writes.
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportJobState.choices, default=ImportJobState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows to check"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    # {"errors": [{"row", "column", "message"}], "rows": n, "created": n}: ImportReport's fields.
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ImportJobState.values),
                name="import_job_state_valid",
                violation_error_message=_("Unknown state."),
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Unfinished long after the worker would have stopped it: the worker was lost (or
        none ever took the job). Nothing of it was saved: the rows are saved in one
        transaction at its very end."""
        if self.finished:
            return False
        if self.started_at is None:
            return (now or timezone.now()) > self.created_at + QUEUE_PATIENCE
        margin = dt.timedelta(seconds=settings.ZJAI_IMPORT_JOB_TIME_LIMIT + 60)
        return (now or timezone.now()) > self.started_at + margin
