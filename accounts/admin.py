from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import record_event, snapshot

from .models import User

# What an account's event records: who it is, its unit and its roles. Never the password hash.
AUDITED_USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "unit",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
]


def user_snapshot(user: User) -> dict:
    """The account as stored, its roles by name (readable in the trail, stable across ids)."""
    fresh = User.objects.prefetch_related("groups").get(pk=user.pk)
    data = snapshot(fresh, AUDITED_USER_FIELDS)
    data["groups"] = sorted(group.name for group in fresh.groups.all())
    return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, with each account change in the audit trail: who gave whom which
    role, who deactivated an account (and, as every audited write does, it refreshes the API's
    cached lists, whose visibility depends on roles)."""

    list_display = ("username", "email", "unit", "is_active", "is_staff", "last_login")
    list_filter = ("groups", "unit", "is_active", "is_staff")
    list_select_related = ("unit",)
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Responsible unit"), {"fields": ("unit",)}))

    def save_model(self, request, obj, form, change):
        # Roles are saved after the account (save_related), so the event is written there,
        # with the state before taken here; the admin runs both in one transaction.
        request._audit_user_before = user_snapshot(obj) if change and obj.pk else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_event(
            action="update" if change else "create",
            obj=form.instance,
            acting_user=request.user,
            before=getattr(request, "_audit_user_before", None),
            after=user_snapshot(form.instance),
            reason="via admin",
        )

    def delete_model(self, request, obj):
        record_event(
            action="delete",
            obj=obj,
            acting_user=request.user,
            before=user_snapshot(obj),
            reason="via admin",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                self.delete_model(request, user)
