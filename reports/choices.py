"""Choices of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (a .zip of one file per table)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    PDF = "pdf", _("PDF progress report")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ExportKind(models.TextChoices):
    """What an export holds: the progress report of targets (an edition), or the progress
    bulletin of task reports for a period (reports.bulletin)."""

    REPORT = "report", _("progress report")
    BULLETIN = "bulletin", _("progress bulletin")


class BulletinLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Chinese")
    EN = "en", _("English")


class BulletinFormat(models.TextChoices):
    """The bulletin's formats (reports.bulletin.FORMATS): a subset of ExportFormat's values."""

    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
