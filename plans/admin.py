from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import ItemUnit, Plan, PlanItem, ResponsibleUnit


@admin.register(Plan)
class PlanAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "title_zh", "period_start", "period_end")
    search_fields = ("code", "title_zh", "title_en")


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "city")
    list_filter = ("kind", "city")
    search_fields = ("code", "name_zh", "name_en")


class ItemUnitInline(admin.TabularInline):
    model = ItemUnit
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(PlanItem)
class PlanItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("key", "number", "title_zh", "title_en", "kind", "plan")
    list_filter = ("plan", "kind")
    search_fields = ("key", "title_zh", "title_en", "text_zh", "text_en")
    list_select_related = ("plan",)
    raw_id_fields = ("parent",)
    inlines = [ItemUnitInline]
