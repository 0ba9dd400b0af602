"""The plan as the admin shows it: read-only, since the plan file is its only source
(plans.rules.may_change_plans); reload the file to change it."""

from django.contrib import admin

from . import rules
from .models import ItemUnit, Plan, PlanItem, ResponsibleUnit


class PlanFileAdminMixin:
    """Shown to whoever may read the plan; changed by nobody here."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and rules.may_read_plans(request.user)

    def has_add_permission(self, request, obj=None):
        return rules.may_change_plans(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.may_change_plans(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.may_change_plans(request.user)


@admin.register(Plan)
class PlanAdmin(PlanFileAdminMixin, admin.ModelAdmin):
    list_display = ("code", "title_zh", "period_start", "period_end")
    search_fields = ("code", "title_zh", "title_en")


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(PlanFileAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "city")
    list_filter = ("kind", "city")
    search_fields = ("code", "name_zh", "name_en")


class ItemUnitInline(PlanFileAdminMixin, admin.TabularInline):
    model = ItemUnit
    extra = 0


@admin.register(PlanItem)
class PlanItemAdmin(PlanFileAdminMixin, admin.ModelAdmin):
    list_display = ("key", "number", "title_zh", "title_en", "kind", "plan")
    list_filter = ("plan", "kind")
    search_fields = ("key", "title_zh", "title_en", "text_zh", "text_en")
    list_select_related = ("plan",)
    inlines = [ItemUnitInline]
