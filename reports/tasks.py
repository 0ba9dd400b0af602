"""The background export: the browser asks, a Celery worker writes the file (in-process when
no broker is configured), the page polls the Export row for progress."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from audit.context import acting_as
from taskreports.periods import period_starting

from . import services
from .bulletin import BulletinError, export_bulletin
from .exporting import export
from .models import Export

logger = logging.getLogger(__name__)
EXPORT_DIR = "exports"


def export_path(item: Export) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR / item.filename


@shared_task(acks_late=True)
def run_export(export_id: int) -> dict:
    """Write one requested export to MEDIA_ROOT/exports/ and record how it went. Running it
    again rewrites the same file with the same figures (the report is one edition: a fixed
    date, as known at a fixed instant)."""
    item = Export.objects.select_related("plan", "unit", "requested_by").get(pk=export_id)
    path = export_path(item)
    path.parent.mkdir(parents=True, exist_ok=True)
    services.start_export(item.pk)
    last = {"at": 0.0}

    def progress(fraction: float, stage: str) -> None:
        # A row update per 2 % at most: the page polls it, the export should not wait on it.
        if fraction - last["at"] >= 0.02 or fraction >= 1.0:
            last["at"] = fraction
            services.record_export_progress(item.pk, fraction, stage)

    if item.kind == Export.Kind.BULLETIN:
        return _run_bulletin(item, path)
    try:
        with acting_as(f"job:export:{item.pk}"):
            result = export(
                item.format,
                path,
                as_of=item.as_of,
                # Exports requested before editions: as known when they were requested.
                known_at=item.known_at or item.requested_at,
                plan=item.plan,
                progress=progress,
            )
    except Exception as exc:  # the page says what went wrong; the log has the traceback
        logger.exception("export %s failed", item.pk)
        services.fail_export(item.pk, str(exc))
        return {"export": item.pk, "state": "failed"}
    services.finish_export(
        item.pk,
        file=str(Path(EXPORT_DIR) / item.filename),
        audit_head=result.head,
        digest=result.edition.digest,
    )
    return {"export": item.pk, "state": "done", "file": item.filename}


def _run_bulletin(item: Export, path: Path) -> dict:
    """The bulletin (reports.bulletin): small, written in one step."""
    try:
        period = period_starting(item.plan, item.period_start) if item.period_start else None
        if period is None:
            raise BulletinError(f"the plan has no period starting on {item.period_start}")
        result = export_bulletin(
            item.format,
            path,
            plan=item.plan,
            period=period,
            known_at=item.known_at or item.requested_at,
            unit=item.unit,
            language=item.language or "zh-hans",
            # What the person who asked may read (reports.rules.masked_reports).
            reader=item.requested_by,
        )
    except Exception as exc:  # the page says what went wrong; the log has the traceback
        logger.exception("export %s failed", item.pk)
        services.fail_export(item.pk, str(exc))
        return {"export": item.pk, "state": "failed"}
    head = result.bulletin.head
    services.finish_export(
        item.pk,
        file=str(Path(EXPORT_DIR) / item.filename),
        audit_head=head.anchor if head else "",
        digest=result.bulletin.digest,
    )
    return {"export": item.pk, "state": "done", "file": item.filename}
