"""Choices of the task reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskStatus(models.TextChoices):
    """Where a unit's work on a task stands, as the unit reports it (未启动 / 推进中 / 已完成 /
    滞后 / 暂缓)."""

    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    # "completed" alone is a project's status (已完工); a task's is 已完成.
    COMPLETED = "completed", pgettext_lazy("task status", "completed")
    BEHIND = "behind", _("behind")
    SUSPENDED = "suspended", _("suspended")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    # Sent back by the lead unit's reviewer with a comment: the unit revises and submits again.
    RETURNED = "returned", _("returned")


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


class NoticeState(models.TextChoices):
    """A supervision notice (督办通知): issued, answered by the unit, closed by whoever issued
    it (or an administrator)."""

    OPEN = "open", _("awaiting reply")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
