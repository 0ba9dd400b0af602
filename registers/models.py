"""A register import too large to check within a request: the job that checks and imports it
in a Celery worker (registers.tasks.run_import_job), and the page that shows its progress.

The uploaded file is kept in the row itself (`content`) until the job has read it: nothing
under MEDIA_ROOT, which a misconfigured web server might serve, and nothing left behind when
the job ends, however it ends (registers.jobs.services clears it). The row then keeps only
what the page shows: how far the check got, and the errors or the count imported.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ImportJobState

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
