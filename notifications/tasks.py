"""Celery jobs of the notifications: e-mails and webhook deliveries after commit, and the
sweep that sends what a lost job left behind. Each is safe to run twice: a notice's e-mail and
a delivery are claimed under a row lock and sent only while pending."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .webhooks import post


@shared_task(acks_late=True)
def send_notification_emails(ids: list[int]) -> dict:
    """The e-mails of these notices (each user's choices decide which go out)."""
    return services.send_emails(ids)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """One try of a delivery; on failure, another after a doubling delay
    (ZJAI_WEBHOOK_RETRY_DELAY × 2ⁿ) until ZJAI_WEBHOOK_MAX_ATTEMPTS, then failed. Never raises
    for a receiver's fault: the error is kept on the delivery for the administrators."""
    while True:
        delivery = services.claim_delivery(delivery_id)
        if delivery is None:
            return "not pending"
        outcome = post(
            delivery.webhook.url, delivery.webhook.secret, delivery.payload, event=delivery.key
        )
        delivery = services.record_delivery(delivery, status=outcome.status, error=outcome.error)
        if delivery.state != delivery.State.PENDING:
            return str(delivery.state)
        if not _eager():
            # With a worker: the same message again after the countdown (acks_late keeps it).
            raise self.retry(
                countdown=services.retry_delay(delivery.attempts),
                max_retries=settings.ZJAI_WEBHOOK_MAX_ATTEMPTS,
            )
        # No worker (tests, the embedded default): the next try at once, in this process.


@shared_task
def sweep_notifications() -> dict:
    """Every five minutes: e-mails still pending and deliveries whose next try is due (their
    job was never queued, or lost)."""
    now = timezone.now()
    emails = services.send_emails(services.pending_emails(now))
    due = services.due_deliveries(now)
    for pk in due:
        deliver_webhook.apply(args=(pk,)) if _eager() else deliver_webhook.delay(pk)
    return {**emails, "deliveries": len(due)}


def _eager() -> bool:
    from zjai.celery import app

    return bool(app.conf.task_always_eager)
