"""Exports requested from the browser, made in the background by a Celery task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules
from .choices import BulletinLanguage, ExportFormat, ExportKind, ExportState


class ExportQuerySet(models.QuerySet):
    def for_user(self, user) -> ExportQuerySet:
        """Administrators see every export; everyone else their own (reports.rules)."""
        qs = self.select_related("plan", "requested_by", "unit")
        return qs if rules.sees_every_export(user) else qs.filter(requested_by=user)


class Export(models.Model):
    """One export of the report as of a date as known at an instant (an edition): who asked,
    in which format, how far it got, the digest and chain head of what it wrote, and the file
    it wrote under MEDIA_ROOT/exports/ (served only through the permission-checked download
    view)."""

    Format = ExportFormat
    Kind = ExportKind

    State = ExportState

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exports",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ExportKind.choices, default=ExportKind.REPORT
    )
    # A bulletin's period (its first day; `as_of` is its last), unit (none: the whole plan)
    # and language.
    period_start = models.DateField(_("period from"), null=True, blank=True)
    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=BulletinLanguage.choices, blank=True
    )
    as_of = models.DateField(_("as of"))
    # The instant the report is as known at (K): the form's "as known on", else the request's
    # time. Empty only on exports made before editions.
    known_at = models.DateTimeField(_("as known at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.FloatField(_("progress"), default=0.0)
    stage = models.CharField(_("stage"), max_length=64, blank=True)
    file = models.CharField(_("file"), max_length=255, blank=True)
    # The audit chain's head at K (SEQ:HASH) and the SHA-256 of the edition's tables
    # (reports.editions), once the file is written.
    audit_head = models.CharField(_("audit chain head"), max_length=96, blank=True)
    digest = models.CharField(_("digest"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values),
                name="export_format_valid",
                violation_error_message=_("Unknown format."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1),
                name="export_progress_fraction",
                violation_error_message=_("Progress is a fraction from 0 to 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.format} as of {self.as_of} ({self.state})"

    @property
    def extension(self) -> str:
        return "zip" if self.format == self.Format.CSV else self.format

    @property
    def filename(self) -> str:
        if self.kind == ExportKind.BULLETIN and self.period_start is not None:
            unit = f"-{self.unit.code}" if self.unit else ""
            return (
                f"zjai-bulletin-{self.plan.code}-{self.period_start.isoformat()}{unit}-"
                f"{self.language}-{self.pk}.{self.extension}"
            )
        return f"zjai-{self.plan.code}-{self.as_of.isoformat()}-{self.pk}.{self.extension}"
