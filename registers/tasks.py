"""The background register import: a file above ZJAI_IMPORT_BACKGROUND_BYTES is checked and
imported here, in a Celery worker, while the uploader's page shows how far it got.

The same import as within a request (registers.imports.RegisterImport.run): the same limits,
the same checks and error table, all rows saved or none. The task is stopped at
ZJAI_IMPORT_JOB_SOFT_TIME_LIMIT (it says so, nothing saved: the rows are saved in one
transaction, which the stop rolls back) and killed at ZJAI_IMPORT_JOB_TIME_LIMIT. It is
acknowledged when it starts: a job whose worker dies is not run again but shown as lost
(ImportJob.overdue), since a file that kills its worker would kill the next one too.
"""

from __future__ import annotations

import logging
import time

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext as _

from audit.context import acting_as

from .imports import import_for
from .jobs import services

logger = logging.getLogger(__name__)
# Seconds between two writes of a job's progress: the page polls it, the job need not wait.
PROGRESS_INTERVAL = 0.5


def soft_time_limit(task: Task) -> int:
    """The soft limit this run had: the one its message carried (registers.jobs.services
    sends the queuing process's settings), else the task's own."""
    limits = task.request.timelimit or (None, None)
    return int(limits[1] or task.soft_time_limit or 0)


@shared_task(
    bind=True,
    soft_time_limit=settings.ZJAI_IMPORT_JOB_SOFT_TIME_LIMIT,
    time_limit=settings.ZJAI_IMPORT_JOB_TIME_LIMIT,
)
def run_import_job(task: Task, job_id: int) -> dict:
    job = services.begin_import_job(job_id)
    if job is None:
        return {"job": job_id, "state": "skipped"}
    with translation.override(job.language):
        try:
            upload = SimpleUploadedFile(job.file_name, bytes(job.content or b""))
            importer = import_for(job.register)(job.user, **services.import_options(job))
            last = {"at": 0.0}

            def progress(checked: int, total: int) -> None:
                now = time.monotonic()
                if now - last["at"] >= PROGRESS_INTERVAL or checked == total:
                    last["at"] = now
                    services.record_import_progress(job, checked, total)

            importer.on_progress = progress
            with acting_as(f"job:import:{job.pk}"):
                report = importer.run(upload)
        except SoftTimeLimitExceeded:
            logger.warning("import job %s stopped at its time limit", job_id)
            services.fail_import_job(
                job_id,
                _(
                    "The import took longer than %(seconds)d seconds and was stopped. Nothing "
                    "was imported. Split the file and upload the parts."
                )
                % {"seconds": soft_time_limit(task)},
            )
            return {"job": job_id, "state": "failed"}
        except Exception:  # the page says the import failed; the log has the traceback
            logger.exception("import job %s failed", job_id)
            services.fail_import_job(
                job_id, _("The import failed on an unexpected error. Nothing was imported.")
            )
            return {"job": job_id, "state": "failed"}
        services.finish_import_job(job, report)
    return {"job": job_id, "state": job.state, "created": report.created}
