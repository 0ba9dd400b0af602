"""The background export: the browser asks, a Celery worker writes the file (in-process when
no broker is configured), the page polls the Export row for progress."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audit.context import acting_as

from .exporting import export
from .models import Export

logger = logging.getLogger(__name__)
EXPORT_DIR = "exports"


def export_path(item: Export) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR / item.filename


@shared_task(acks_late=True)
def run_export(export_id: int) -> dict:
    """Write one requested export to MEDIA_ROOT/exports/ and record how it went. Running it
    again rewrites the same file with the same figures (the report is as of a fixed date)."""
    item = Export.objects.select_related("plan").get(pk=export_id)
    path = export_path(item)
    path.parent.mkdir(parents=True, exist_ok=True)
    Export.objects.filter(pk=item.pk).update(state=Export.State.RUNNING, progress=0.0)
    last = {"at": 0.0}

    def progress(fraction: float, stage: str) -> None:
        # A row update per 2 % at most: the page polls it, the export should not wait on it.
        if fraction - last["at"] >= 0.02 or fraction >= 1.0:
            last["at"] = fraction
            Export.objects.filter(pk=item.pk).update(
                progress=min(max(fraction, 0.0), 1.0), stage=stage[:64]
            )

    try:
        with acting_as(f"job:export:{item.pk}"):
            result = export(item.format, path, as_of=item.as_of, plan=item.plan, progress=progress)
    except Exception as exc:  # the page says what went wrong; the log has the traceback
        logger.exception("export %s failed", item.pk)
        Export.objects.filter(pk=item.pk).update(
            state=Export.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return {"export": item.pk, "state": "failed"}
    Export.objects.filter(pk=item.pk).update(
        state=Export.State.DONE,
        progress=1.0,
        stage="done",
        file=str(Path(EXPORT_DIR) / item.filename),
        audit_head=result.head,
        finished_at=timezone.now(),
    )
    return {"export": item.pk, "state": "done", "file": item.filename}
