"""Celery tasks that keep Progress rows up to date. Idempotent: safe to run twice or retry."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import DatabaseError

from audit.context import acting_as

from .recompute import recompute


def _parse(as_of: str | None) -> dt.date | None:
    return dt.date.fromisoformat(as_of) if as_of else None


@shared_task(
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    acks_late=True,  # idempotent: a redelivered message after a crash recomputes the same rows
)
def recompute_all(as_of: str | None = None) -> dict:
    """Recompute every target of every plan as of a date (default: today)."""
    with acting_as("job:recompute_all"):
        result = recompute(_parse(as_of))
    return {"as_of": result.as_of.isoformat(), "targets": result.targets, **result.by_status}


@shared_task(
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    acks_late=True,
)
def recompute_targets(target_ids: list[int], as_of: str | None = None) -> dict:
    """Recompute the given targets as of a date (default: today)."""
    with acting_as("job:recompute_targets"):
        result = recompute(_parse(as_of), target_ids=target_ids)
    return {"as_of": result.as_of.isoformat(), "targets": result.targets, **result.by_status}


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5, acks_late=True)
def sweep_dirty_targets() -> dict:
    """Recompute targets whose change was not followed by a recompute (e.g. the broker was down
    when it was queued)."""
    from .models import Target

    ids = list(Target.objects.filter(dirty_since__isnull=False).values_list("pk", flat=True))
    if not ids:
        return {"targets": 0}
    with acting_as("job:sweep_dirty_targets"):
        result = recompute(target_ids=ids)
    return {"targets": result.targets}


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def send_stale_reminders() -> dict:
    """Remind the responsible units of targets whose newest approved figure is stale."""
    from .reminders import send_stale_reminders as send

    with acting_as("job:send_stale_reminders"):
        return {"reminded": send()}
