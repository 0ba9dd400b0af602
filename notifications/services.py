"""Every write to notifications goes through these functions.

`notify` is what the other apps call, inside their own transaction: it writes the inbox rows
at once (they are part of the change that caused them) and nothing else can fail there. The
e-mail and the webhook deliveries go out from Celery after the transaction commits, so a slow
or broken mail server or receiver never blocks or fails the user's save.

Inbox bookkeeping (read marks, e-mail and delivery outcomes, a user's e-mail choices) is not
audited: it changes no figure, report or register (docs/audit.md). A unit's webhooks are: who
relays a unit's notices where is configuration an administrator answers for.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from zjai.exceptions import ConflictError

from . import rules
from .choices import DeliveryState, EmailState, NotificationKind
from .models import EmailOptOut, Notification, UnitWebhook, WebhookDelivery

logger = logging.getLogger(__name__)

# What the audit trail keeps of a webhook: never its secret (an event says it changed).
WEBHOOK_FIELDS = ["unit", "url", "active", "version"]


# --- notices -----------------------------------------------------------------------------------


def notify(
    *,
    kind: NotificationKind | str,
    recipients: Iterable,
    subject: str,
    key: str,
    body: str = "",
    url: str = "",
    unit_id: int | None = None,
    skip=None,
) -> list[Notification]:
    """One notice per recipient of the event `key`, unless that recipient already has one for
    it (a job that runs again sends nothing twice). `skip` is a user to leave out (who caused
    the event need not be told of it). Returns the notices written.

    Once the caller's transaction commits, their e-mails are queued, and with `unit_id` the
    event is relayed to the unit's active webhooks (once per webhook and event)."""
    kind = NotificationKind(kind)
    people = {user.pk: user for user in recipients if user is not None and user.pk is not None}
    if skip is not None:
        people.pop(getattr(skip, "pk", None), None)
    if not people:
        return []
    key = key[:200]
    with transaction.atomic():
        already = set(
            Notification.objects.filter(recipient_id__in=people, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        now = timezone.now()
        rows = [
            Notification(
                recipient_id=pk,
                kind=kind,
                subject=subject[:300],
                body=body,
                url=url if rules.is_site_path(url) else "",
                key=key,
                unit_id=unit_id,
                created_at=now,
            )
            for pk in sorted(people)
            if pk not in already
        ]
        if not rows:
            return []
        # ignore_conflicts: two jobs racing on the same event still write one notice each.
        # It also leaves the rows without their ids: read back those this call wrote.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        written = list(
            Notification.objects.filter(
                recipient_id__in=[row.recipient_id for row in rows], key=key, created_at=now
            ).order_by("recipient_id")
        )
        if written:
            ids = [row.pk for row in written]
            transaction.on_commit(lambda: enqueue_emails(ids))
            if unit_id is not None:
                _queue_webhook_deliveries(written[0], now)
    return written


def _queue_webhook_deliveries(notice: Notification, now: dt.datetime) -> None:
    """A delivery per active webhook of the notice's unit, once per event, sent after commit."""
    hooks = list(UnitWebhook.objects.filter(unit_id=notice.unit_id, active=True))
    if not hooks:
        return
    payload = webhook_payload(notice)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                webhook=hook,
                notification=notice,
                key=notice.key,
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
            for hook in hooks
        ],
        ignore_conflicts=True,  # the event already relayed (a second notify of it)
    )
    ids = list(
        WebhookDelivery.objects.filter(
            webhook__in=hooks, key=notice.key, state=DeliveryState.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids))


def webhook_payload(notice: Notification) -> dict:
    """What a webhook receives (docs/notifications.md, "Webhooks")."""
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "subject": notice.subject,
        "body": notice.body,
        "url": absolute_url(notice.url),
        "unit": notice.unit.code if notice.unit else None,
        "created_at": notice.created_at.isoformat(),
    }


def absolute_url(path: str) -> str:
    """A path of this site as an address others can follow (ZJAI_SITE_URL)."""
    return f"{settings.ZJAI_SITE_URL}{path}" if path else settings.ZJAI_SITE_URL + "/inbox/"


def enqueue_emails(ids: list[int]) -> bool:
    from .tasks import send_notification_emails

    try:
        send_notification_emails.apply_async(args=(ids,), retry=False)
    except Exception:  # the broker is down: the sweep sends them later
        logger.warning("could not queue the e-mails of notices %s; left for the sweep", ids)
        return False
    return True


def enqueue_deliveries(ids: list[int]) -> bool:
    from .tasks import deliver_webhook

    queued = True
    for pk in ids:
        try:
            deliver_webhook.apply_async(args=(pk,), retry=False)
        except Exception:  # the broker is down: the sweep delivers it later
            logger.warning("could not queue webhook delivery %s; left for the sweep", pk)
            queued = False
    return queued


# --- the inbox ---------------------------------------------------------------------------------


def mark_read(notice: Notification, *, acting_user) -> Notification:
    """Mark one of the user's own notices read (reading it again changes nothing)."""
    if not rules.may_read_notice(acting_user, notice):
        raise PermissionDenied(_("This is not your notice."))
    if notice.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=now)
        notice.read_at = now
    return notice


def mark_all_read(*, acting_user, kind: str | None = None) -> int:
    """Mark every unread notice of the user's (of one kind, if given) read. Returns how many."""
    if not acting_user.is_authenticated:
        raise PermissionDenied(_("Sign in to read your notices."))
    unread = Notification.objects.for_user(acting_user).unread()
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=timezone.now())


def set_email_kinds(*, acting_user, kinds: Iterable[str]) -> set[str]:
    """The kinds of notice `acting_user` wants by e-mail: exactly `kinds`; the others are
    turned off. Returns the kinds now turned off."""
    if not acting_user.is_authenticated:
        raise PermissionDenied(_("Sign in to choose your e-mails."))
    wanted = set(kinds)
    unknown = wanted - set(NotificationKind.values)
    if unknown:
        raise ValidationError({"email_kinds": _("Unknown kind: %s.") % ", ".join(sorted(unknown))})
    off = set(NotificationKind.values) - wanted
    with transaction.atomic():
        EmailOptOut.objects.filter(user=acting_user).exclude(kind__in=off).delete()
        EmailOptOut.objects.bulk_create(
            [EmailOptOut(user=acting_user, kind=kind) for kind in sorted(off)],
            ignore_conflicts=True,
        )
    return off


def email_kinds_of(user) -> set[str]:
    """The kinds `user` receives by e-mail (all but those turned off)."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return set(NotificationKind.values) - off


# --- e-mail ------------------------------------------------------------------------------------


def send_emails(ids: Iterable[int]) -> dict[str, int]:
    """Send the e-mail of each pending notice of `ids`, or skip it (kind turned off, no
    address). A failure is counted on the notice and left for the sweep; after
    ZJAI_EMAIL_MAX_ATTEMPTS it is failed. Never raises for one notice's failure."""
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for pk in sorted(set(ids)):
        outcome = _send_one_email(pk)
        if outcome:
            counts[outcome] += 1
    return counts


def _send_one_email(pk: int) -> str | None:
    with transaction.atomic():
        # skip_locked: the task and the sweep never send the same notice at once.
        notice = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=pk, email_state=EmailState.PENDING)
            .first()
        )
        if notice is None:
            return None
        now = timezone.now()
        address = notice.recipient.email
        opted_out = EmailOptOut.objects.filter(
            user_id=notice.recipient_id, kind=notice.kind
        ).exists()
        if not address or not notice.recipient.is_active or opted_out:
            notice.email_state = EmailState.SKIPPED
            notice.emailed_at = now
            notice.save(update_fields=["email_state", "emailed_at"])
            return "skipped"
        notice.email_attempts += 1
        try:
            send_mail(
                f"[zjai] {notice.subject}",
                email_text(notice),
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=False,
            )
        except Exception as exc:  # SMTP down, refused address: counted, retried by the sweep
            logger.warning(
                "e-mail of notice %s failed (try %s): %s", pk, notice.email_attempts, exc
            )
            if notice.email_attempts >= settings.ZJAI_EMAIL_MAX_ATTEMPTS:
                notice.email_state = EmailState.FAILED
            notice.save(update_fields=["email_state", "email_attempts"])
            return "failed"
        notice.email_state = EmailState.SENT
        notice.emailed_at = now
        notice.save(update_fields=["email_state", "email_attempts", "emailed_at"])
        return "sent"


def email_text(notice: Notification) -> str:
    parts = [notice.subject]
    if notice.body:
        parts.append(notice.body)
    parts.append(absolute_url(notice.url))
    return "\n\n".join(parts) + "\n"


# --- webhooks ----------------------------------------------------------------------------------


def create_webhook(*, unit, url: str, secret: str, active: bool = True, acting_user) -> UnitWebhook:
    """A unit's new webhook: administrators only, audited (never the secret)."""
    if not rules.may_manage_webhooks(acting_user):
        raise PermissionDenied(_("Only an administrator may manage webhooks."))
    hook = UnitWebhook(
        unit=unit,
        url=url,
        secret=secret,
        active=active,
        created_at=timezone.now(),
        created_by=acting_user if acting_user.pk else None,
    )
    hook.full_clean()
    with transaction.atomic():
        hook.save()
        record_event(
            action="create",
            obj=hook,
            acting_user=acting_user,
            after=snapshot(hook, WEBHOOK_FIELDS),
        )
    return hook


def update_webhook(
    hook: UnitWebhook, *, acting_user, expected_version: int | None = None, **changes
) -> UnitWebhook:
    """Change a webhook's unit, address, secret or state: administrators only, audited (a new
    secret is recorded as `secret_changed`, never its value)."""
    if not rules.may_manage_webhooks(acting_user):
        raise PermissionDenied(_("Only an administrator may manage webhooks."))
    unknown = set(changes) - {"unit", "url", "secret", "active"}
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        locked = UnitWebhook.objects.select_for_update().get(pk=hook.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(
                _("This webhook was changed by someone else. Reload it and try again."),
                current_version=locked.version,
            )
        before = snapshot(locked, WEBHOOK_FIELDS)
        new_secret = "secret" in changes and changes["secret"] != locked.secret
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        if snapshot(locked, WEBHOOK_FIELDS) == before and not new_secret:
            return locked
        locked.version += 1
        locked.save()
        after = snapshot(locked, WEBHOOK_FIELDS)
        record_event(
            action="update",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=after,
            reason=_("secret changed") if new_secret else "",
        )
    return locked


def delete_webhook(hook: UnitWebhook, *, acting_user) -> None:
    """Remove a webhook and its deliveries: administrators only, audited."""
    if not rules.may_manage_webhooks(acting_user):
        raise PermissionDenied(_("Only an administrator may manage webhooks."))
    with transaction.atomic():
        locked = UnitWebhook.objects.select_for_update().get(pk=hook.pk)
        record_event(
            action="delete",
            obj=locked,
            acting_user=acting_user,
            before=snapshot(locked, WEBHOOK_FIELDS),
        )
        locked.delete()


def claim_delivery(pk: int) -> WebhookDelivery | None:
    """The pending delivery `pk`, its try counted, or None if it is no longer pending (sent,
    failed, its webhook removed or turned off meanwhile)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .filter(pk=pk, state=DeliveryState.PENDING)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.webhook.active:
            delivery.state = DeliveryState.FAILED
            delivery.last_error = _("The webhook was turned off.")
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "last_error", "next_attempt_at"])
            return None
        delivery.attempts += 1
        # Until this try reports, the sweep leaves it alone (it waits past the timeout).
        delivery.next_attempt_at = timezone.now() + dt.timedelta(
            seconds=settings.ZJAI_WEBHOOK_TIMEOUT + settings.ZJAI_WEBHOOK_RETRY_DELAY
        )
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def record_delivery(
    delivery: WebhookDelivery, *, status: int | None, error: str
) -> WebhookDelivery:
    """The outcome of one try: delivered (a 2xx answer), or the error kept for the admins and
    the next try scheduled with a doubling delay, or failed after ZJAI_WEBHOOK_MAX_ATTEMPTS."""
    now = timezone.now()
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        locked.last_status = status
        if not error:
            locked.state = DeliveryState.DELIVERED
            locked.delivered_at = now
            locked.last_error = ""
            locked.next_attempt_at = None
        else:
            locked.last_error = error[:2000]
            if locked.attempts >= settings.ZJAI_WEBHOOK_MAX_ATTEMPTS:
                locked.state = DeliveryState.FAILED
                locked.next_attempt_at = None
            else:
                locked.next_attempt_at = now + dt.timedelta(seconds=retry_delay(locked.attempts))
        locked.save()
    return locked


def retry_delay(attempts: int) -> int:
    """Seconds before the try after `attempts` tries: the delay, doubled at each try."""
    return settings.ZJAI_WEBHOOK_RETRY_DELAY * 2 ** max(attempts - 1, 0)


# How late a delivery's next try must be before the sweep takes it over: Celery's own retry,
# due at next_attempt_at, has had its chance, so the two never try the same delivery at once.
SWEEP_GRACE = dt.timedelta(minutes=5)


def due_deliveries(now: dt.datetime) -> list[int]:
    """Pending deliveries whose next try is overdue (their task lost or never queued)."""
    return list(
        WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now - SWEEP_GRACE
        ).values_list("pk", flat=True)[:500]
    )


def pending_emails(now: dt.datetime) -> list[int]:
    """Notices whose e-mail is still to send, older than a minute (their own task had its
    chance first)."""
    return list(
        Notification.objects.filter(
            email_state=EmailState.PENDING, created_at__lte=now - dt.timedelta(minutes=1)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
