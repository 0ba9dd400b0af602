from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin
from zjai.registers import targets_reading

from .models import Project


@admin.register(Project)
class ProjectAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "level", "status", "city", "planned_investment", "accepted_on")
    list_filter = ("kind", "level", "status", "city", "is_demo")
    search_fields = ("name", "name_en")
    raw_id_fields = ("enterprise",)
    list_select_related = ("unit",)
    show_full_result_count = False

    def touched_targets(self, obj):
        return targets_reading("projects")
