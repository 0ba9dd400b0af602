from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import Measurement, Progress, Target, TargetUnit


class TargetUnitInline(admin.TabularInline):
    model = TargetUnit
    extra = 0


@admin.register(Target)
class TargetAdmin(AuditedAdminMixin, admin.ModelAdmin):
    reason_required = True  # a change to a target needs a reason (DESIGN.md, issue 6)

    def touched_targets(self, obj):
        return [obj.pk]

    list_display = (
        "code",
        "title_zh",
        "target_value",
        "unit_of_measure",
        "deadline",
        "source_kind",
    )
    list_filter = ("plan", "source_kind", "headline", "scope")
    search_fields = ("code", "title_zh", "title_en")
    raw_id_fields = ("item", "restated_in")
    inlines = [TargetUnitInline]


@admin.register(Measurement)
class MeasurementAdmin(AuditedAdminMixin, admin.ModelAdmin):
    reason_required = True  # a change to a figure, approved ones above all, needs a reason

    def touched_targets(self, obj):
        return [obj.target_id]

    list_display = ("target", "value", "observed_on", "state", "created_by", "reviewed_by")
    list_filter = ("state", "target", "is_demo")
    date_hierarchy = "observed_on"
    raw_id_fields = ("created_by", "submitted_by", "reviewed_by")
    list_select_related = ("target", "created_by", "reviewed_by")
    show_full_result_count = False


@admin.register(Progress)
class ProgressAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("target", "as_of", "current_value", "percent", "status", "computed_at")
    list_filter = ("status", "as_of")
    list_select_related = ("target",)

    def has_add_permission(self, request):
        return False  # computed, never typed in

    def has_change_permission(self, request, obj=None):
        return False
