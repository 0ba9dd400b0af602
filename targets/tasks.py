"""Celery tasks that keep Progress rows up to date. Idempotent: safe to run twice or retry.

A worker can die in the middle of a recompute (SIGKILL, out of memory, its host lost). Nothing
is half-written: a recompute writes its rows in one transaction, which PostgreSQL rolls back
when the connection goes. And the job is not lost:

- the recompute tasks acknowledge their message only once they have finished (`acks_late`);
- if the pool process running one dies while its worker lives on, the worker sends the task
  again after RETRY_DELAY seconds, counting it as a retry (`retry_on_worker_lost`, so a task
  that kills its process every time stops after `max_retries` instead of looping forever;
  `reject_on_worker_lost` puts the message back at once should sending the retry fail);
- if the whole worker dies, Redis gives the unacknowledged message to the next worker that
  starts or polls once CELERY_VISIBILITY_TIMEOUT (settings) has passed.

tests/ops/test_faults.py kills workers in the middle of a full recompute to prove both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.db import DatabaseError

from audit.context import acting_as

from .services import recompute_progress

#: Seconds before a task whose pool process died is run again (see the module's doc).
RETRY_DELAY = 5
#: What the idempotent recompute tasks share: retried on database errors with a backoff, and
#: run again, not lost, when the process running them dies.
RECOMPUTE_OPTIONS: dict[str, Any] = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_on_worker_lost": True,
    "default_retry_delay": RETRY_DELAY,
}


def _parse(as_of: str | None) -> dt.date | None:
    return dt.date.fromisoformat(as_of) if as_of else None


# Idempotent: a message delivered again after a crash recomputes the same rows.
@shared_task(max_retries=8, **RECOMPUTE_OPTIONS)
def recompute_all(as_of: str | None = None) -> dict:
    """Recompute every target of every plan as of a date (default: today)."""
    with acting_as("job:recompute_all"):
        result = recompute_progress(_parse(as_of))
    return {"as_of": result.as_of.isoformat(), "targets": result.targets, **result.by_status}


@shared_task(max_retries=8, **RECOMPUTE_OPTIONS)
def recompute_targets(target_ids: list[int], as_of: str | None = None) -> dict:
    """Recompute the given targets as of a date (default: today)."""
    with acting_as("job:recompute_targets"):
        result = recompute_progress(_parse(as_of), target_ids=target_ids)
    return {"as_of": result.as_of.isoformat(), "targets": result.targets, **result.by_status}


@shared_task(max_retries=5, **RECOMPUTE_OPTIONS)
def sweep_dirty_targets() -> dict:
    """Recompute targets whose change was not followed by a recompute (e.g. the broker was down
    when it was queued)."""
    from .models import Target

    ids = list(Target.objects.filter(dirty_since__isnull=False).values_list("pk", flat=True))
    if not ids:
        return {"targets": 0}
    with acting_as("job:sweep_dirty_targets"):
        result = recompute_progress(target_ids=ids)
    return {"targets": result.targets}


@shared_task(max_retries=5, **RECOMPUTE_OPTIONS)
def close_due_targets() -> dict:
    """Daily: write the frozen verdict of every target whose closing day has ended, then
    recompute those targets so their pages show it. Idempotent: a closed target is skipped."""
    from .services import close_due_targets as close

    with acting_as("job:close_due_targets"):
        closed = close()
        if closed:
            recompute_progress(target_ids=closed)
    return {"closed": len(closed)}


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def send_stale_reminders() -> dict:
    """Remind the responsible units of targets whose newest approved figure is stale."""
    from .services import send_stale_reminders as send

    with acting_as("job:send_stale_reminders"):
        return {"reminded": send()}


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def send_figure_notices() -> dict:
    """Daily: notices of figures due soon, overdue, or waiting for review too long. Idempotent:
    each event is notified once (notifications.Notification.key)."""
    from .services import send_figure_notices as send

    with acting_as("job:send_figure_notices"):
        return send()


@shared_task(acks_late=True)
def clean_orphaned_evidence() -> int:
    """Nightly: evidence files no figure refers to (targets.evidence). Returns how many."""
    from .evidence import remove_orphaned

    return remove_orphaned().removed
