"""Every write to reports: an export requested, queued, run and finished.

An Export row records who asked for which report and how far its making got; the report itself
only reads (and the export's own events are written by what it reads through). The browser view
and the Celery task both go through these functions.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import Plan

from .builders import default_plan
from .models import Export

logger = logging.getLogger(__name__)


def request_export(
    *,
    acting_user,
    format: str,
    as_of: dt.date,
    known_at: dt.datetime | None = None,
    plan: Plan | None = None,
) -> Export:
    """A new export of `plan` (default: the newest plan) as of `as_of` as known at `known_at`
    (default: the request's time, not the worker's), queued for the worker once the request
    commits."""
    now = timezone.now()
    with transaction.atomic():
        item = Export.objects.create(
            requested_by=acting_user,
            requested_at=now,
            plan=plan or default_plan(),
            format=format,
            as_of=as_of,
            known_at=known_at or now,
        )
        transaction.on_commit(lambda: queue_export(item.pk))
    return item


def request_bulletin(
    *,
    acting_user,
    plan: Plan,
    format: str,
    period_start: dt.date,
    period_end: dt.date,
    unit=None,
    language: str = "zh-hans",
    known_at: dt.datetime | None = None,
) -> Export:
    """A new export of the progress bulletin (reports.bulletin) of `plan` for the period
    from `period_start` to `period_end`, as known at `known_at` (default: the request's time),
    queued for the worker once the request commits, like the report's."""
    now = timezone.now()
    with transaction.atomic():
        item = Export.objects.create(
            requested_by=acting_user,
            requested_at=now,
            plan=plan,
            kind=Export.Kind.BULLETIN,
            format=format,
            as_of=period_end,
            period_start=period_start,
            unit=unit,
            language=language,
            known_at=known_at or now,
        )
        transaction.on_commit(lambda: queue_export(item.pk))
    return item


def queue_export(export_id: int) -> None:
    from .tasks import run_export

    try:
        run_export.delay(export_id)
    except Exception:  # the broker is down: say so on the page instead of spinning forever
        logger.exception("could not queue export %s", export_id)
        fail_export(export_id, _("The export could not be queued. Try again later."))


def start_export(export_id: int) -> None:
    Export.objects.filter(pk=export_id).update(state=Export.State.RUNNING, progress=0.0)


def record_export_progress(export_id: int, fraction: float, stage: str) -> None:
    Export.objects.filter(pk=export_id).update(
        progress=min(max(fraction, 0.0), 1.0), stage=stage[:64]
    )


def fail_export(export_id: int, error: str) -> None:
    Export.objects.filter(pk=export_id).update(
        state=Export.State.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def finish_export(export_id: int, *, file: str, audit_head: str, digest: str = "") -> None:
    Export.objects.filter(pk=export_id).update(
        state=Export.State.DONE,
        progress=1.0,
        stage="done",
        file=file,
        audit_head=audit_head,
        digest=digest,
        finished_at=timezone.now(),
    )
