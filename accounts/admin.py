from typing import TYPE_CHECKING, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User

if TYPE_CHECKING:
    from django_stubs_ext import FieldsetSpec

ADMIN_REASON = "via admin"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, writing through accounts.services: each account change is in the
    audit trail (who gave whom which role, who deactivated an account) and, as every audited
    write does, refreshes the API's cached lists, whose visibility depends on roles."""

    list_display = ("username", "email", "unit", "is_active", "is_staff", "last_login")
    list_filter = ("groups", "unit", "is_active", "is_staff")
    list_select_related = ("unit",)
    # Django's UserAdmin always sets fieldsets; the stubs keep ModelAdmin's "or None".
    fieldsets = (
        *cast("FieldsetSpec", BaseUserAdmin.fieldsets),
        (_("Responsible unit"), {"fields": ("unit",)}),
    )

    def save_model(self, request, obj, form, change):
        """Nothing yet: the account is saved with its roles in save_related, in one service
        call (the admin runs both in one transaction)."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        services.save_account(
            form.instance,
            acting_user=request.user,
            groups=data.get("groups") if "groups" in form.fields else None,
            permissions=data.get("user_permissions") if "user_permissions" in form.fields else None,
            reason=ADMIN_REASON,
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.delete_account(obj, acting_user=request.user, reason=ADMIN_REASON)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                services.delete_account(user, acting_user=request.user, reason=ADMIN_REASON)
