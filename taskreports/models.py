"""Task reports: what each responsible unit did on each task-like plan item per reporting
period, reviewed by the item's lead unit; milestones; supervision notices (督办).

A report names its period by its first and last day (taskreports.periods computes a plan's
periods). The rules of who sees and does what are taskreports.rules; every write is
taskreports.services.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zjai.uploads import RandomName

from . import rules
from .choices import NoticeState, ReportState, ReviewDecision, TaskStatus

TEXT_MAX_LENGTH = 4000
User = settings.AUTH_USER_MODEL


class Milestone(models.Model):
    """A dated step of an item, owned by one of its units. Overdue: not done by its date."""

    item = models.ForeignKey(
        "plans.PlanItem",
        on_delete=models.PROTECT,
        related_name="milestones",
        verbose_name=_("task"),
    )
    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.PROTECT,
        related_name="milestones",
        verbose_name=_("owning unit"),
    )
    due_on = models.DateField(_("due on"))
    description = models.CharField(_("description"), max_length=500)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(done_on__isnull=True), name="milestone_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d} {self.description}"


class TaskReportQuerySet(models.QuerySet):
    def for_user(self, user) -> TaskReportQuerySet:
        """The reports the user may see (taskreports.rules.visible_reports)."""
        return rules.visible_reports(self, user)


class SupervisionNoticeQuerySet(models.QuerySet):
    def for_user(self, user) -> SupervisionNoticeQuerySet:
        return rules.visible_notices(self, user)


class TaskReport(models.Model):
    """One unit's report on one item for one period: at most one per (item, unit, period)."""

    State = ReportState
    Status = TaskStatus

    item = models.ForeignKey(
        "plans.PlanItem",
        on_delete=models.PROTECT,
        related_name="task_reports",
        verbose_name=_("task"),
    )
    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.PROTECT,
        related_name="task_reports",
        verbose_name=_("unit"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    work_done = models.TextField(_("work done"), blank=True, max_length=TEXT_MAX_LENGTH)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=TEXT_MAX_LENGTH)
    problems = models.TextField(
        _("problems and support needed"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    milestones_reached = models.ManyToManyField(
        Milestone, blank=True, related_name="reports", verbose_name=_("milestones reached")
    )
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        blank=True,
        related_name="task_reports",
        verbose_name=_("enterprises concerned"),
    )
    projects = models.ManyToManyField(
        "projects.Project",
        blank=True,
        related_name="task_reports",
        verbose_name=_("projects concerned"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    submitted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The first submission decides timeliness (及时率): a report returned and resubmitted after
    # its due date was still on time.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)

    objects = TaskReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("task report")
        verbose_name_plural = _("task reports")
        ordering = ["-period_start", "item__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit", "period_start"],
                name="task_report_once_per_period",
                violation_error_message=_(
                    "This unit already has a report on this task for this period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="task_report_period_in_order",
                violation_error_message=_("The period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                name="task_report_percent_at_most_100",
                violation_error_message=_("Percent complete is at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in TaskStatus]),
                name="task_report_status_valid",
                violation_error_message=_("Unknown task status."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in ReportState]),
                name="task_report_state_valid",
                violation_error_message=_("Unknown report state."),
            ),
        ]
        indexes = [
            models.Index(fields=["period_start", "state"], name="task_report_period_state"),
            models.Index(fields=["unit", "period_start"], name="task_report_unit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.unit} · {self.period_start:%Y-%m-%d}"


class TaskReportEditor(models.Model):
    """Someone who created, changed or submitted a report: four eyes keep them from reviewing
    it (taskreports.rules.FOUR_EYES)."""

    report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="editors")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("task report editor")
        verbose_name_plural = _("task report editors")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="task_report_editor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} · {self.user_id}"


class ReviewRound(models.Model):
    """One submission of a report and what the reviewer decided of it. A resubmission opens
    the next round, so every round's comment stays visible in order."""

    report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=ReviewDecision.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="review_round_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} #{self.number}"


class TaskEvidence(models.Model):
    """A file attached to a report, kept with the name the user uploaded it under."""

    report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="evidence")
    # Stored under a random name; shown and downloaded under `original_name`.
    file = models.FileField(_("file"), upload_to=RandomName("task-evidence/%Y/%m/"))
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["report", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ConsolidatedReport(models.Model):
    """The lead unit's report on an item for a period, written from its units' reports: the
    item's status for that period (taskreports.rollup) and a summary."""

    item = models.ForeignKey(
        "plans.PlanItem",
        on_delete=models.PROTECT,
        related_name="consolidated_reports",
        verbose_name=_("task"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices)
    summary = models.TextField(_("summary"), blank=True, max_length=TEXT_MAX_LENGTH)
    written_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    written_at = models.DateTimeField(_("written at"))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("consolidated report")
        verbose_name_plural = _("consolidated reports")
        ordering = ["-period_start", "item__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "period_start"],
                name="consolidated_report_once_per_period",
                violation_error_message=_(
                    "This task already has a consolidated report for this period."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.period_start:%Y-%m-%d}"


class SupervisionNotice(models.Model):
    """A supervision notice (督办通知) to a unit, with a reply deadline: issued by the
    coordinating office or an item's lead unit, answered by the unit, closed by the issuer."""

    State = NoticeState

    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.PROTECT,
        related_name="supervision_notices",
        verbose_name=_("plan"),
    )
    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.PROTECT,
        related_name="supervision_notices",
        verbose_name=_("unit"),
    )
    item = models.ForeignKey(
        "plans.PlanItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_notices",
        verbose_name=_("task"),
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    reply_by = models.DateField(_("reply by"))
    state = models.CharField(
        _("state"), max_length=16, choices=NoticeState.choices, default=NoticeState.OPEN
    )
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    # The unit on whose behalf it was issued (the coordinating office or the lead unit).
    issuing_unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by unit"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    reply = models.TextField(_("reply"), blank=True, max_length=TEXT_MAX_LENGTH)
    replied_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_comment = models.TextField(_("closing comment"), blank=True, max_length=TEXT_MAX_LENGTH)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = SupervisionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in NoticeState]),
                name="supervision_notice_state_valid",
                violation_error_message=_("Unknown notice state."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject
