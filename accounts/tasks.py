"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from zjai.api.idempotency import IDEMPOTENCY_KEY_LIFETIME

from .services import purge_expired_idempotency_keys


@shared_task
def purge_idempotency_keys() -> int:
    """Nightly: delete the answers kept for Idempotency-Keys past their lifetime (a user's own
    also go on their next write). Idempotent."""
    return purge_expired_idempotency_keys(lifetime=IDEMPOTENCY_KEY_LIFETIME)
