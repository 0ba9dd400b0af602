"""The admin of task reports: shown only. Reports, milestones and notices change through their
workflow on the task pages and the API (taskreports.services), never here, so the rights, four
eyes and the audit trail hold for every change."""

from django.contrib import admin

from audit.admin_mixins import ReadOnlyAdminMixin

from .models import (
    ConsolidatedReport,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskEvidence,
    TaskReport,
)


class ReviewRoundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewRound
    extra = 0
    fields = ("number", "submitted_by", "submitted_at", "reviewed_by", "decision", "comment")


class TaskEvidenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TaskEvidence
    extra = 0
    fields = ("original_name", "uploaded_by", "uploaded_at")


@admin.register(TaskReport)
class TaskReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("item", "unit", "period_start", "status", "state", "submitted_at")
    list_filter = ("state", "status", "period_start", "is_demo")
    list_select_related = ("item", "unit")
    search_fields = ("item__key", "unit__code", "work_done")
    inlines = [ReviewRoundInline, TaskEvidenceInline]
    show_full_result_count = False


@admin.register(ConsolidatedReport)
class ConsolidatedReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("item", "period_start", "status", "written_by", "written_at")
    list_filter = ("status", "period_start")
    list_select_related = ("item", "written_by")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("item", "unit", "due_on", "description", "done_on")
    list_filter = ("due_on", "is_demo")
    list_select_related = ("item", "unit")


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "unit", "issuing_unit", "reply_by", "state", "issued_at")
    list_filter = ("state", "reply_by")
    list_select_related = ("unit", "issuing_unit")
