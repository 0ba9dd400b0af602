from django.contrib import admin

from registers.admin import RegisterAdmin

from . import services
from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(RegisterAdmin):
    editable = services.EDITABLE
    create_service = staticmethod(services.create_enterprise)
    update_service = staticmethod(services.update_enterprise)
    list_display = ("name_zh", "credit_code", "city", "sector", "tier", "recognised_on", "status")
    list_filter = ("tier", "status", "city", "sector", "is_demo")
    search_fields = ("name_zh", "name_en", "credit_code")
    date_hierarchy = "recognised_on"
    raw_id_fields = ("named_in",)
    list_select_related = ("owner_unit",)
    show_full_result_count = False
