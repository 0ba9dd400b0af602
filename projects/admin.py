from django.contrib import admin

from registers.admin import RegisterAdmin

from . import services
from .models import Project


@admin.register(Project)
class ProjectAdmin(RegisterAdmin):
    editable = services.EDITABLE
    create_service = staticmethod(services.create_project)
    update_service = staticmethod(services.update_project)
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
