from django.contrib import admin

from registers.admin import ReadOnlyAdminMixin

from .models import Project


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "name_zh",
        "kind",
        "level",
        "status",
        "city",
        "planned_investment",
        "accepted_on",
    )
    list_filter = ("kind", "level", "status", "city", "is_demo")
    search_fields = ("name_zh", "name_en")
    raw_id_fields = ("enterprise",)
    list_select_related = ("owner_unit",)
    show_full_result_count = False
