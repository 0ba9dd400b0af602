"""Choices of the notifications app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notice is about. Each user chooses per kind whether it also comes by e-mail."""

    DUE_SOON = "due_soon", _("report or figure due soon")
    OVERDUE = "overdue", _("report or figure overdue")
    SUBMITTED = "submitted", _("submitted for your review")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned or rejected")
    REVIEW_PENDING = "review_pending", _("waiting for review too long")
    NOTICE_ISSUED = "notice_issued", _("supervision notice issued")
    NOTICE_ANSWERED = "notice_answered", _("supervision notice answered")


class EmailState(models.TextChoices):
    """What became of a notice's e-mail."""

    PENDING = "pending", _("to send")
    SENT = "sent", _("sent")
    # The recipient chose no e-mail for this kind, or has no address: nothing to send.
    SKIPPED = "skipped", _("not wanted")
    FAILED = "failed", _("failed")


class DeliveryState(models.TextChoices):
    """Where a webhook delivery stands."""

    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class InboxOrder(models.TextChoices):
    """How the inbox is sorted."""

    UNREAD_FIRST = "unread", _("unread first")
    NEWEST = "newest", _("newest first")
