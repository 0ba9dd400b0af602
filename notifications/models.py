"""Notices to people: the in-app inbox, and what went out by e-mail and webhook."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryState, EmailState, NotificationKind


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        """A user's own inbox, nobody else's (administrators included)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice to one person. `key` names the event it reports (for example a missing
    report of a unit for an item and period), so a job that runs again sends nothing twice:
    (recipient, key) is unique."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    # Where the notice leads: a path of this site ("/plans/…"), never another site.
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("event"), max_length=200)
    # The unit whose business it is (its webhook relays it); none for a personal notice.
    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set once the e-mail went out (or was not wanted: see email_state).
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # pending until the e-mail job has decided: sent, skipped (not wanted, no address) or, after
    # ZJAI_EMAIL_MAX_ATTEMPTS failed tries, failed. The sweep sends what stayed pending.
    email_state = models.CharField(
        _("e-mail"), max_length=16, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="notification_once_per_event",
                violation_error_message=_("This person was already notified of this event."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The sweep's read: the few notices whose e-mail is still to send.
            models.Index(
                fields=["created_at"],
                condition=Q(email_state="pending"),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class EmailOptOut(models.Model):
    """A kind of notice a user does not want by e-mail. Every kind comes by e-mail unless the
    user turned it off (docs/notifications.md); the inbox always has it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_opt_outs",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="email_opt_out_once",
                violation_error_message=_("This kind is already turned off."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class UnitWebhook(models.Model):
    """An address to which a unit's notices are relayed (its own messaging platform): a JSON
    POST signed with HMAC-SHA256 of the body under `secret`. Managed by administrators."""

    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("unit"),
    )
    url = models.URLField(_("address"), max_length=500)
    # Shared with the receiver, which checks X-Zjai-Signature with it; never shown in a list,
    # an export or the audit trail.
    secret = models.CharField(_("secret"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["unit", "pk"]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.url}"


class WebhookDelivery(models.Model):
    """One event relayed to one webhook: once per (webhook, event key), however many people
    the event notified. The payload is frozen when the event happens, so every attempt sends
    the same body."""

    State = DeliveryState

    webhook = models.ForeignKey(
        UnitWebhook,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notification"),
    )
    key = models.CharField(_("event"), max_length=200)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "key"],
                name="webhook_delivery_once_per_event",
                violation_error_message=_("This event was already relayed to this webhook."),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_state"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.webhook_id} ({self.state})"
