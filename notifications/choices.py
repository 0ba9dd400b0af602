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
