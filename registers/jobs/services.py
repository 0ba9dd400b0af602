"""Every write of a background import job (registers.models.ImportJob): queued by the import
page, started, advanced and finished by the Celery task (registers.tasks.run_import_job).

A job row is bookkeeping, not audited: the entries an import creates are written, and audited,
by the register's own service, all or none, at the job's end. The uploaded file lives in the
row until the job has finished with it; every way a job ends clears it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import ImportJob
from ..rules import can_create_entry

logger = logging.getLogger(__name__)


def start_import_job(
    *, acting_user, register: str, upload, allow_duplicates: bool = False
) -> ImportJob:
    """A job that checks and imports `upload` into `register`, queued for a worker once the
    request commits. The file's bytes are kept in the job's row until it ends; the import
    form's choices (`allow_duplicates`) in its result's "options" until the outcome replaces
    them (import_options)."""
    if not can_create_entry(acting_user):
        raise PermissionDenied(_("Your role may not add register entries."))
    clear_overdue_import_jobs()
    upload.seek(0)
    content = upload.read()  # at most ZJAI_IMPORT_MAX_BYTES: the import page checked
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=acting_user,
            register=register,
            file_name=(upload.name or "")[-255:],
            size=len(content),
            content=content,
            language=translation.get_language() or "zh-hans",
            result={"options": {"allow_duplicates": bool(allow_duplicates)}},
        )
        transaction.on_commit(lambda: queue_import_job(job.pk))
    return job


def import_options(job: ImportJob) -> dict[str, Any]:
    """The import form's choices a queued job carries (keyword arguments of the import)."""
    options = (job.result or {}).get("options") or {}
    return {"allow_duplicates": bool(options.get("allow_duplicates", False))}


def queue_import_job(job_id: int) -> None:
    from ..tasks import run_import_job

    try:
        # The limits travel with the message (the worker applies those of the message).
        run_import_job.apply_async(
            (job_id,),
            soft_time_limit=settings.ZJAI_IMPORT_JOB_SOFT_TIME_LIMIT,
            time_limit=settings.ZJAI_IMPORT_JOB_TIME_LIMIT,
        )
    except Exception:  # the broker is down: the page says so rather than wait for ever
        logger.exception("could not queue import job %s", job_id)
        fail_import_job(job_id, _("The import could not be queued. Try again later."))


def begin_import_job(job_id: int) -> ImportJob | None:
    """The job, now checking; None if it was not waiting (a message delivered twice, or a job
    given up as lost before a worker took it)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("user").get(pk=job_id)
        if job.state != ImportJob.State.QUEUED:
            return None
        job.state = ImportJob.State.CHECKING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at"])
    return job


def record_import_progress(job: ImportJob, checked: int, total: int) -> None:
    job.rows_checked, job.rows_total = checked, total
    job.save(update_fields=["rows_checked", "rows_total"])


def finish_import_job(job: ImportJob, report: Any) -> None:
    """The job's outcome (a registers.imports.ImportReport): imported, or refused with its
    errors. Written even over a job given up as lost meanwhile: this is what happened."""
    result = dataclasses.asdict(report)
    job.state = ImportJob.State.DONE if report.ok else ImportJob.State.REJECTED
    job.result = result
    job.rows_checked = max(job.rows_checked, result.get("rows", 0))
    job.content = None
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "result", "rows_checked", "content", "finished_at"])


def fail_import_job(job_id: int, message: str) -> None:
    """The job ended without an outcome (its time limit, an unexpected error, no broker):
    nothing was imported, and its file is dropped."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return
        job.state = ImportJob.State.FAILED
        job.result = {"errors": [{"row": 0, "column": "—", "message": message}]}
        job.content = None
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "result", "content", "finished_at"])


def clear_overdue_import_jobs() -> int:
    """Jobs whose worker was lost (ImportJob.overdue) end as failed and lose their file; how
    many. Called whenever a job is started, so no file outlives its job for long."""
    cleared = 0
    unfinished = ImportJob.objects.exclude(state__in=ImportJob.FINISHED).only(
        "pk", "state", "created_at", "started_at"
    )
    for job in unfinished:
        if job.overdue():
            fail_import_job(
                job.pk,
                _("The import did not finish: its worker stopped. Nothing was imported."),
            )
            cleared += 1
    return cleared
